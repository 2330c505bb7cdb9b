package io.moaiflow.swarmdb.spring.ai;

import com.fasterxml.jackson.databind.JsonNode;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.SwarmDbException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.messages.AbstractMessage;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.content.Media;
import org.springframework.ai.content.MediaContent;
import org.springframework.util.MimeType;

/**
 * A Spring AI message as the JSON value of one memory entry, and back:
 *
 * <pre>
 * {"type": "USER|ASSISTANT|SYSTEM|TOOL", "text": ..., "at": "2026-12-01T17:00:00Z",
 *  "metadata": {...}, "media": [{"mimeType", "id", "name", "bytes"|"text"|"url"}],
 *  "toolCalls": [{"id", "type", "name", "arguments"}], "toolResponses": [{"id", "name", "data"}]}
 * </pre>
 *
 * The message's time is {@code at}; the {@code messageType} metadata Spring AI derives from the
 * type, and the time under {@link SwarmDbChatMemoryRepository#MESSAGE_TIMESTAMP}, are not stored in
 * {@code metadata}. Stateless, thread safe.
 */
final class ChatMessageJson {
  static final String FIX = "delete the conversation with deleteByConversationId";

  private ChatMessageJson() {}

  /**
   * The stored form of {@code message}, timed by its {@link
   * SwarmDbChatMemoryRepository#MESSAGE_TIMESTAMP} metadata or else {@code now}.
   *
   * @throws SwarmDbException INVALID_ARGUMENT for a timestamp that is not an {@code Instant} or
   *     media data that is neither bytes, text nor a URL
   */
  static Map<String, @Nullable Object> encode(Message message, int index, Instant now) {
    Map<String, @Nullable Object> out = new LinkedHashMap<>();
    out.put("type", message.getMessageType().name());
    out.put("text", message.getText());
    Object at = message.getMetadata().get(SwarmDbChatMemoryRepository.MESSAGE_TIMESTAMP);
    if (at != null && !(at instanceof Instant)) {
      throw invalid(
          "message "
              + index
              + " has metadata '"
              + SwarmDbChatMemoryRepository.MESSAGE_TIMESTAMP
              + "' of type "
              + at.getClass().getName()
              + "; it must be a java.time.Instant (or absent, to stamp the message now)");
    }
    out.put("at", (at == null ? now : (Instant) at).toString());
    Map<String, Object> metadata = new LinkedHashMap<>(message.getMetadata());
    metadata.remove(SwarmDbChatMemoryRepository.MESSAGE_TIMESTAMP);
    metadata.remove(AbstractMessage.MESSAGE_TYPE);
    out.put("metadata", metadata);
    if (message instanceof MediaContent m && !m.getMedia().isEmpty()) {
      List<Map<String, @Nullable Object>> media = new ArrayList<>();
      for (Media item : m.getMedia()) {
        media.add(encodeMedia(item, index));
      }
      out.put("media", media);
    }
    if (message instanceof AssistantMessage a && a.hasToolCalls()) {
      List<Map<String, String>> calls = new ArrayList<>();
      for (AssistantMessage.ToolCall c : a.getToolCalls()) {
        calls.add(
            Map.of("id", c.id(), "type", c.type(), "name", c.name(), "arguments", c.arguments()));
      }
      out.put("toolCalls", calls);
    }
    if (message instanceof ToolResponseMessage t) {
      List<Map<String, String>> responses = new ArrayList<>();
      for (ToolResponseMessage.ToolResponse r : t.getResponses()) {
        responses.add(Map.of("id", r.id(), "name", r.name(), "data", r.responseData()));
      }
      out.put("toolResponses", responses);
    }
    return out;
  }

  private static Map<String, @Nullable Object> encodeMedia(Media media, int index) {
    Map<String, @Nullable Object> out = new LinkedHashMap<>();
    out.put("mimeType", media.getMimeType().toString());
    out.put("id", media.getId());
    out.put("name", media.getName());
    Object data = media.getData();
    if (data instanceof byte[] bytes) {
      out.put("bytes", Base64.getEncoder().encodeToString(bytes));
    } else if (data instanceof String text) {
      out.put("text", text);
    } else if (data instanceof URL url) {
      out.put("url", url.toString());
    } else {
      throw invalid(
          "message "
              + index
              + " has media '"
              + media.getName()
              + "' whose data is a "
              + data.getClass().getName()
              + "; store bytes, a String or a URL");
    }
    return out;
  }

  /** {@return the JSON tree of an encoded message, as it will be stored} */
  static JsonNode tree(Map<String, @Nullable Object> encoded) {
    return StoredJson.JSON.valueToTree(encoded);
  }

  /**
   * Reads a stored message back.
   *
   * @throws SwarmDbException CORRUPT naming the entry when the value is not a stored message
   */
  static Message decode(MemoryEntry entry, JsonNode value) {
    try {
      return decodeOrThrow(value);
    } catch (IllegalArgumentException | IllegalStateException | DateTimeException e) {
      throw StoredJson.corrupt(entry, "is not a stored chat message: " + e.getMessage(), FIX);
    }
  }

  private static Message decodeOrThrow(JsonNode value) {
    MessageType type = MessageType.valueOf(text(value, "type"));
    Map<String, Object> metadata = new LinkedHashMap<>();
    JsonNode stored = value.path("metadata");
    if (!stored.isObject()) {
      throw new IllegalArgumentException("its metadata is not an object");
    }
    metadata.putAll(StoredJson.members(stored));
    metadata.put(SwarmDbChatMemoryRepository.MESSAGE_TIMESTAMP, Instant.parse(text(value, "at")));
    JsonNode textNode = value.path("text");
    String messageText = textNode.isNull() || textNode.isMissingNode() ? null : textNode.asText();
    return switch (type) {
      case USER ->
          UserMessage.builder()
              .text(required(messageText, "text"))
              .media(media(value))
              .metadata(metadata)
              .build();
      case SYSTEM ->
          SystemMessage.builder().text(required(messageText, "text")).metadata(metadata).build();
      case ASSISTANT -> {
        List<AssistantMessage.ToolCall> calls = new ArrayList<>();
        for (JsonNode c : array(value, "toolCalls")) {
          calls.add(
              new AssistantMessage.ToolCall(
                  text(c, "id"), text(c, "type"), text(c, "name"), text(c, "arguments")));
        }
        yield AssistantMessage.builder()
            .content(messageText)
            .properties(metadata)
            .toolCalls(calls)
            .media(media(value))
            .build();
      }
      case TOOL -> {
        List<ToolResponseMessage.ToolResponse> responses = new ArrayList<>();
        for (JsonNode r : array(value, "toolResponses")) {
          responses.add(
              new ToolResponseMessage.ToolResponse(
                  text(r, "id"), text(r, "name"), text(r, "data")));
        }
        yield ToolResponseMessage.builder().responses(responses).metadata(metadata).build();
      }
    };
  }

  private static List<Media> media(JsonNode value) {
    List<Media> out = new ArrayList<>();
    for (JsonNode m : array(value, "media")) {
      Media.Builder b = Media.builder().mimeType(MimeType.valueOf(text(m, "mimeType")));
      b.name(text(m, "name"));
      if (m.hasNonNull("id")) {
        b.id(text(m, "id"));
      }
      if (m.hasNonNull("bytes")) {
        b.data(Base64.getDecoder().decode(text(m, "bytes")));
      } else if (m.hasNonNull("url")) {
        try {
          b.data(URI.create(text(m, "url")).toURL());
        } catch (MalformedURLException e) {
          throw new IllegalArgumentException("media url: " + e.getMessage(), e);
        }
      } else {
        b.data(text(m, "text"));
      }
      out.add(b.build());
    }
    return out;
  }

  private static Iterable<JsonNode> array(JsonNode value, String field) {
    JsonNode node = value.path(field);
    if (node.isMissingNode()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new IllegalArgumentException("its " + field + " is not an array");
    }
    return node;
  }

  private static String text(JsonNode value, String field) {
    JsonNode node = value.path(field);
    if (!node.isTextual()) {
      throw new IllegalArgumentException("its " + field + " is missing or not a string");
    }
    return node.asText();
  }

  private static String required(@Nullable String text, String field) {
    if (text == null) {
      throw new IllegalArgumentException("its " + field + " is missing");
    }
    return text;
  }

  private static SwarmDbException invalid(String message) {
    return new SwarmDbException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
