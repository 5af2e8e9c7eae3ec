/**
 * Anthropic's wire format for the fake server: Messages bodies as the API sends them
 * (@anthropic-ai/sdk 1.14.0's Message type), and its `{ type: "error", error: {...} }` errors.
 */
import {
  badRequest,
  type ContentReply,
  type Endpoint,
  header,
  isJsonObject,
  type JsonObject,
  outputText,
  type WireError,
  type WireFormat,
} from "./wire-common.js";

/** The tool that `tool_choice: { type: "tool", name }` forces, when `tools` is given. */
function forcedTool(body: JsonObject): string | undefined {
  const choice = body.tool_choice;
  if (!Array.isArray(body.tools) || !isJsonObject(choice) || choice.type !== "tool")
    return undefined;
  return typeof choice.name === "string" ? choice.name : undefined;
}

const required = (field: string): WireError => badRequest(`${field}: Field required`);

function validateMessages(body: JsonObject): WireError | undefined {
  if (body.model === undefined) return required("model");
  if (typeof body.model !== "string" || body.model === "") {
    return badRequest("model: Input should be a valid string");
  }
  if (body.max_tokens === undefined) return required("max_tokens");
  if (typeof body.max_tokens !== "number" || !Number.isInteger(body.max_tokens)) {
    return badRequest("max_tokens: Input should be a valid integer");
  }
  if (body.max_tokens < 1)
    return badRequest("max_tokens: Input should be greater than or equal to 1");
  if (body.messages === undefined) return required("messages");
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return badRequest("messages: at least one message is required");
  }
  const choice = body.tool_choice;
  if (isJsonObject(choice) && choice.type === "tool") {
    const tools = Array.isArray(body.tools) ? body.tools : [];
    const known = tools.some((tool) => isJsonObject(tool) && tool.name === choice.name);
    if (!known) {
      return badRequest(`tool_choice: tool '${String(choice.name)}' is not one of the given tools`);
    }
  }
  const format = isJsonObject(body.output_config) ? body.output_config.format : undefined;
  if (format !== undefined && format !== null) {
    if (!isJsonObject(format) || format.type !== "json_schema" || !isJsonObject(format.schema)) {
      return badRequest(
        "output_config.format: expected { type: 'json_schema', schema: {...} } with an object schema",
      );
    }
  }
  return undefined;
}

const STOP_REASONS = {
  object: "end_turn",
  text: "end_turn",
  refusal: "refusal",
  truncated: "max_tokens",
} as const satisfies Record<ContentReply["kind"], string>;

const messages: Endpoint = {
  validate: validateMessages,
  render(reply, context) {
    const toolName = reply.kind === "object" ? forcedTool(context.body) : undefined;
    const text = outputText(reply);
    const usage = context.usage(reply, text);
    const content =
      reply.kind === "object" && toolName !== undefined
        ? {
            type: "tool_use",
            id: `toolu_fake${context.id}`,
            name: toolName,
            input: reply.value,
            caller: { type: "direct" },
          }
        : { type: "text", text, citations: null };
    return {
      id: `msg_fake${context.id}`,
      type: "message",
      role: "assistant",
      model: context.model,
      content: [content],
      stop_reason: toolName === undefined ? STOP_REASONS[reply.kind] : "tool_use",
      stop_sequence: null,
      stop_details:
        reply.kind === "refusal" ? { type: "refusal", category: null, explanation: null } : null,
      container: null,
      diagnostics: null,
      usage: {
        input_tokens: usage.input,
        output_tokens: usage.output,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: null,
        cache_creation: null,
        inference_geo: null,
        output_tokens_details: null,
        server_tool_use: null,
        service_tier: "standard",
        speed: "standard",
      },
    };
  },
};

const ERROR_TYPES: ReadonlyMap<number, string> = new Map([
  [400, "invalid_request_error"],
  [401, "authentication_error"],
  [402, "billing_error"],
  [403, "permission_error"],
  [404, "not_found_error"],
  [413, "request_too_large"],
  [429, "rate_limit_error"],
  [500, "api_error"],
  [504, "timeout_error"],
  [529, "overloaded_error"],
]);

const errorType = (status: number): string =>
  ERROR_TYPES.get(status) ?? (status >= 500 ? "api_error" : "invalid_request_error");

export const anthropicWire: WireFormat = {
  basePath: "",
  endpoints: new Map([["/v1/messages", messages]]),
  requestIdHeader: "request-id",
  isAuthorized: (headers, apiKey) =>
    header(headers, "x-api-key") === apiKey ||
    header(headers, "authorization") === `Bearer ${apiKey}`,
  unauthorized: (headers) => ({
    status: 401,
    message:
      header(headers, "x-api-key") === undefined && header(headers, "authorization") === undefined
        ? "x-api-key header is required"
        : "invalid x-api-key",
  }),
  notFound: () => ({ status: 404, message: "Not Found" }),
  invalidJson: () => badRequest("There was an error parsing the body of your request as JSON"),
  errorBody: (error, requestId) => ({
    type: "error",
    error: { type: errorType(error.status), message: error.message },
    request_id: requestId,
  }),
};
