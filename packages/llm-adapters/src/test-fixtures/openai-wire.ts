/**
 * OpenAI's wire format for the fake server: Chat Completions and Responses bodies as the API sends
 * them (openai 6.49.0's ChatCompletion and Response types), and its `{ error: {...} }` errors.
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

function requireModel(body: JsonObject): WireError | undefined {
  if (typeof body.model !== "string" || body.model === "") {
    return badRequest("you must provide a model parameter", "model");
  }
  return undefined;
}

const chatCompletions: Endpoint = {
  validate(body) {
    const noModel = requireModel(body);
    if (noModel) return noModel;
    if (body.messages === undefined) {
      return badRequest(
        "Missing required parameter: 'messages'.",
        "messages",
        "missing_required_parameter",
      );
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return badRequest(
        "Invalid 'messages': expected an array with minimum length 1.",
        "messages",
        "empty_array",
      );
    }
    const format = body.response_format;
    if (isJsonObject(format) && format.type === "json_schema") {
      const schema = format.json_schema;
      if (!isJsonObject(schema) || typeof schema.name !== "string") {
        return badRequest(
          "Missing required parameter: 'response_format.json_schema.name'.",
          "response_format.json_schema.name",
          "missing_required_parameter",
        );
      }
    }
    return undefined;
  },
  render(reply, context) {
    const text = outputText(reply);
    const usage = context.usage(reply, text);
    const refused = reply.kind === "refusal";
    return {
      id: `chatcmpl-fake${context.id}`,
      object: "chat.completion",
      created: context.created,
      model: context.model,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: refused ? null : text,
            refusal: refused ? reply.message : null,
            annotations: [],
          },
          logprobs: null,
          finish_reason: reply.kind === "truncated" ? "length" : "stop",
        },
      ],
      usage: {
        prompt_tokens: usage.input,
        completion_tokens: usage.output,
        total_tokens: usage.input + usage.output,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 0,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
      service_tier: "default",
      system_fingerprint: "fp_fake",
    };
  },
};

function responseContentPart(reply: ContentReply, text: string) {
  return reply.kind === "refusal"
    ? { type: "refusal", refusal: reply.message }
    : { type: "output_text", text, annotations: [], logprobs: [] };
}

const responses: Endpoint = {
  validate(body) {
    const noModel = requireModel(body);
    if (noModel) return noModel;
    if (body.input === undefined) {
      return badRequest(
        "Missing required parameter: 'input'.",
        "input",
        "missing_required_parameter",
      );
    }
    const format = isJsonObject(body.text) ? body.text.format : undefined;
    if (isJsonObject(format) && format.type === "json_schema") {
      for (const field of ["name", "schema"] as const) {
        if (format[field] === undefined) {
          return badRequest(
            `Missing required parameter: 'text.format.${field}'.`,
            `text.format.${field}`,
            "missing_required_parameter",
          );
        }
      }
    }
    return undefined;
  },
  render(reply, context) {
    const { body } = context;
    const text = outputText(reply);
    const usage = context.usage(reply, text);
    const truncated = reply.kind === "truncated";
    return {
      id: `resp_fake${context.id}`,
      object: "response",
      created_at: context.created,
      status: truncated ? "incomplete" : "completed",
      completed_at: truncated ? null : context.created,
      background: false,
      error: null,
      incomplete_details: truncated ? { reason: "max_output_tokens" } : null,
      instructions: body.instructions ?? null,
      max_output_tokens: body.max_output_tokens ?? null,
      max_tool_calls: null,
      model: context.model,
      output: [
        {
          id: `msg_fake${context.id}`,
          type: "message",
          status: truncated ? "incomplete" : "completed",
          role: "assistant",
          content: [responseContentPart(reply, text)],
        },
      ],
      parallel_tool_calls: true,
      previous_response_id: null,
      prompt_cache_key: null,
      reasoning: { effort: null, summary: null },
      safety_identifier: null,
      service_tier: "default",
      store: body.store ?? true,
      temperature: body.temperature ?? 1,
      text: body.text ?? { format: { type: "text" }, verbosity: "medium" },
      tool_choice: body.tool_choice ?? "auto",
      tools: body.tools ?? [],
      top_logprobs: 0,
      top_p: body.top_p ?? 1,
      truncation: "disabled",
      usage: {
        input_tokens: usage.input,
        input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
        output_tokens: usage.output,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: usage.input + usage.output,
      },
      user: null,
      metadata: body.metadata ?? {},
    };
  },
};

function errorType(status: number): string {
  if (status === 429) return "requests";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

function errorCode(status: number): string | null {
  if (status === 401) return "invalid_api_key";
  if (status === 429) return "rate_limit_exceeded";
  return null;
}

export const openAIWire: WireFormat = {
  basePath: "/v1",
  endpoints: new Map([
    ["/v1/chat/completions", chatCompletions],
    ["/v1/responses", responses],
  ]),
  requestIdHeader: "x-request-id",
  isAuthorized: (headers, apiKey) => header(headers, "authorization") === `Bearer ${apiKey}`,
  unauthorized: (headers) => ({
    status: 401,
    message:
      header(headers, "authorization") === undefined
        ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        : "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
    code: "invalid_api_key",
  }),
  notFound: (method, path) => ({ status: 404, message: `Invalid URL (${method} ${path})` }),
  invalidJson: () =>
    badRequest(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)",
    ),
  errorBody: (error) => ({
    error: {
      message: error.message,
      type: errorType(error.status),
      param: error.param ?? null,
      code: error.code ?? errorCode(error.status),
    },
  }),
};
