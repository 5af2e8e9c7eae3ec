/**
 * The TCP sockets a process group holds, read from Linux's /proc: the harness tests use
 * them to show that every server listens on 127.0.0.1 only and talks to nothing else.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { processGroupMembers } from "./processes.js";

export interface TcpSocket {
  /** Hex `address:port` as in /proc/net/tcp{,6} (IPv4 little-endian). */
  local: string;
  remote: string;
  /** "0A" is LISTEN, "01" ESTABLISHED. */
  state: string;
}

/** The TCP sockets (IPv4 and IPv6) held by the live members of a process group. */
export function groupTcpSockets(pgid: number): TcpSocket[] {
  const inodes = new Set<string>();
  for (const pid of processGroupMembers(pgid)) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match?.[1]) inodes.add(match[1]);
      } catch {
        // fd closed meanwhile
      }
    }
  }
  const sockets: TcpSocket[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && inodes.has(cols[9] ?? "")) {
        sockets.push({ local: cols[1] ?? "", remote: cols[2] ?? "", state: cols[3] ?? "" });
      }
    }
  }
  return sockets;
}

/** Whether a hex address from /proc/net/tcp{,6} is unset (0.0.0.0 / ::) or loopback. */
export function isLocal(hexAddress: string): boolean {
  const [ip = ""] = hexAddress.split(":");
  if (/^0+$/.test(ip)) return true;
  return isLoopback(hexAddress);
}

/** Whether a hex address from /proc/net/tcp{,6} is loopback (127.x, ::1, ::ffff:127.x). */
export function isLoopback(hexAddress: string): boolean {
  const [ip = ""] = hexAddress.split(":");
  if (ip.length === 8) return ip.toUpperCase().endsWith("7F"); // 127.x.x.x, little-endian
  if (ip === "00000000000000000000000001000000") return true; // ::1
  return /^0000000000000000FFFF0000..{5}7F$/i.test(ip); // ::ffff:127.x
}

/** The port of a hex `address:port`. */
export function socketPort(hexAddress: string): number {
  return Number.parseInt(hexAddress.split(":")[1] ?? "", 16);
}
