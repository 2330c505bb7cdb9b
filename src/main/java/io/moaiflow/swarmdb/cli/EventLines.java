package io.moaiflow.swarmdb.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.CausalLinks;
import io.moaiflow.swarmdb.JsonLimits;
import io.moaiflow.swarmdb.MemoryRef;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDbException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The JSON-lines form of an event used by {@code export} and {@code import}: one object per line,
 * {@code {"type":"event","eventId":...,"eventType":...,"agentId":...,"agentType":...,
 * "sessionId":...,"ts":<epoch ms>,"metadata":{...}}}, and for an event with causal links (schema
 * v4) two optional fields after them, each present only when not empty: {@code "causes":[<event
 * id>,...]} and {@code "reads":[{"scope":...,"memoryType":...,"key":...,"version":<n>},...]}. The
 * log position ({@code seq}) is not part of it: the importing database assigns its own. Stateless
 * and thread safe.
 */
final class EventLines {
  static final String TYPE = "event";

  /**
   * The CLI's one mapper: the library's {@link JsonLimits}, one level deeper, because a line wraps
   * the event's metadata in one more object, so every event the library accepted exports and
   * imports again. {@link ImportLines} bounds a line's length and Jackson refuses {@code NaN}; the
   * rest of the library's rule (the size of the metadata's JSON, numbers beyond a double) {@link
   * #read} leaves to the library itself, {@link JsonLimits#checkMetadata}.
   */
  static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(JsonLimits.MAX_DEPTH + 1)
                          .maxNameLength(JsonLimits.MAX_NAME_LENGTH)
                          .maxNumberLength(JsonLimits.MAX_NUMBER_LENGTH)
                          .maxStringLength(JsonLimits.MAX_BYTES)
                          .build())
                  .streamWriteConstraints(
                      StreamWriteConstraints.builder()
                          .maxNestingDepth(JsonLimits.MAX_DEPTH + 1)
                          .build())
                  .build())
          .build();

  private EventLines() {}

  /** An event of a line with the links it names ({@link CausalLinks#none()} for none). */
  record Line(AgentEvent event, CausalLinks links) {}

  /** The export line of an event with its links (no fields for none). */
  static String write(AgentEvent e, CausalLinks links) {
    Map<String, @Nullable Object> m = toJson(e, false);
    if (!links.causes().isEmpty()) {
      m.put("causes", links.causes());
    }
    if (!links.reads().isEmpty()) {
      List<Map<String, Object>> reads = new ArrayList<>(links.reads().size());
      for (MemoryRef r : links.reads()) {
        Map<String, Object> read = new LinkedHashMap<>();
        read.put("scope", r.scope().toString());
        read.put("memoryType", r.memoryType());
        read.put("key", r.key());
        read.put("version", r.version());
        reads.add(read);
      }
      m.put("reads", reads);
    }
    return Reports.json(m);
  }

  /**
   * The line, with {@code withSeq} also the event's log position after {@code "type"} (as {@code
   * swarmdb events --json} prints it: {@code import} ignores it and assigns its own).
   */
  static String write(AgentEvent e, boolean withSeq) {
    return Reports.json(toJson(e, withSeq));
  }

  /** The fields of {@link #write(AgentEvent, boolean)}'s line, for a larger JSON document. */
  static Map<String, @Nullable Object> toJson(AgentEvent e, boolean withSeq) {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    m.put("type", TYPE);
    if (withSeq) {
      m.put("seq", e.seq());
    }
    m.put("eventId", e.eventId());
    m.put("eventType", e.eventType());
    m.put("agentId", e.agentId());
    m.put("agentType", e.agentType());
    m.put("sessionId", e.sessionId());
    m.put("ts", e.timestamp().toEpochMilli());
    m.put("metadata", e.metadata());
    return m;
  }

  /**
   * Parses one line into a new (unstored) event and its links; IllegalArgumentException says what
   * is wrong.
   */
  static Line read(String line) {
    JsonNode n;
    try {
      n = MAPPER.readTree(line);
    } catch (StreamConstraintsException e) {
      throw new IllegalArgumentException(
          "beyond a JSON limit: "
              + e.getOriginalMessage()
              + "; metadata may be nested at most "
              + JsonLimits.MAX_DEPTH
              + " levels (the line adds one), keys "
              + JsonLimits.MAX_NAME_LENGTH
              + " and numbers "
              + JsonLimits.MAX_NUMBER_LENGTH
              + " characters",
          e);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    String type = text(n, "type");
    if (!TYPE.equals(type)) {
      throw new IllegalArgumentException("\"type\" is " + n.get("type") + "; expected \"event\"");
    }
    JsonNode ts = n.get("ts");
    if (ts == null || !ts.canConvertToExactIntegral() || !ts.canConvertToLong()) {
      throw new IllegalArgumentException("\"ts\" must be epoch milliseconds (an integer)");
    }
    JsonNode meta = n.get("metadata");
    Map<String, @Nullable Object> metadata = new LinkedHashMap<>();
    if (meta != null && meta.getNodeType() != JsonNodeType.NULL) {
      if (!meta.isObject()) {
        throw new IllegalArgumentException("\"metadata\" must be a JSON object");
      }
      try {
        @SuppressWarnings("unchecked")
        Map<String, @Nullable Object> parsed = MAPPER.treeToValue(meta, LinkedHashMap.class);
        metadata = parsed;
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("\"metadata\": " + e.getOriginalMessage(), e);
      }
    }
    try {
      AgentEvent event =
          new AgentEvent(
              0,
              text(n, "eventId"),
              text(n, "eventType"),
              text(n, "agentId"),
              optionalText(n, "agentType"),
              optionalText(n, "sessionId"),
              Instant.ofEpochMilli(ts.asLong()),
              metadata);
      JsonLimits.checkMetadata(event.metadata());
      CausalLinks links = new CausalLinks(causes(n), reads(n));
      if (links.causes().contains(event.eventId())) {
        throw new IllegalArgumentException(
            "event " + event.eventId() + " names itself in \"causes\"; name earlier events only");
      }
      return new Line(event, links);
    } catch (SwarmDbException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** The optional {@code "causes"}: event ids (checked by {@link CausalLinks}). */
  private static List<String> causes(JsonNode n) {
    List<String> out = new ArrayList<>();
    for (JsonNode c : array(n, "causes")) {
      if (!c.isTextual()) {
        throw new IllegalArgumentException("\"causes\" must hold event ids (strings)");
      }
      out.add(c.asText());
    }
    return out;
  }

  /** The optional {@code "reads"}: memory versions, each checked by {@link MemoryRef}. */
  private static List<MemoryRef> reads(JsonNode n) {
    List<MemoryRef> out = new ArrayList<>();
    for (JsonNode r : array(n, "reads")) {
      if (!r.isObject()) {
        throw new IllegalArgumentException(
            "\"reads\" must hold objects {\"scope\",\"memoryType\",\"key\",\"version\"}");
      }
      JsonNode v = r.get("version");
      if (v == null || !v.canConvertToExactIntegral() || !v.canConvertToLong()) {
        throw new IllegalArgumentException("a read's \"version\" must be an integer");
      }
      out.add(
          new MemoryRef(
              Scope.parse(text(r, "scope")), text(r, "memoryType"), text(r, "key"), v.asLong()));
    }
    return out;
  }

  private static Iterable<JsonNode> array(JsonNode n, String field) {
    JsonNode a = n.get(field);
    if (a == null || a.isNull()) {
      return List.of();
    }
    if (!a.isArray()) {
      throw new IllegalArgumentException("\"" + field + "\" must be a JSON array");
    }
    return a;
  }

  private static String text(JsonNode n, String field) {
    String v = optionalText(n, field);
    if (v == null) {
      throw new IllegalArgumentException("\"" + field + "\" is missing");
    }
    return v;
  }

  private static @Nullable String optionalText(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException("\"" + field + "\" must be a string");
    }
    return v.asText();
  }
}
