package io.moaiflow.swarmdb.langchain4j;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.CustomMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import io.moaiflow.swarmdb.Concurrently;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.Recall;
import io.moaiflow.swarmdb.RecallHit;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.backend.BackendTest;
import io.moaiflow.swarmdb.backend.TestBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SwarmDbChatMemoryStoreTest {
  static final ToolExecutionRequest WEATHER =
      ToolExecutionRequest.builder()
          .id("call-1")
          .name("weather")
          .arguments("{\"city\":\"Oslo\",\"days\":[1,2]}")
          .build();

  /** One of each message type LangChain4j serialises, with the parts each can carry. */
  static Stream<ChatMessage> messages() {
    return Stream.of(
        SystemMessage.from("You are terse. Ünïcödé, \"quotes\", \\ and emoji 🐝 survive."),
        UserMessage.from("hello"),
        UserMessage.from("alice", "hello from a named user"),
        UserMessage.from(
            TextContent.from("what is in this picture?"),
            ImageContent.from("https://example.com/cat.png"),
            TextContent.from("and this one?"),
            ImageContent.from("aGVsbG8=", "image/png")),
        AiMessage.from("plain answer"),
        AiMessage.from(WEATHER),
        AiMessage.from(
            "checking two cities",
            List.of(
                WEATHER,
                ToolExecutionRequest.builder()
                    .id("call-2")
                    .name("weather")
                    .arguments("{\"city\":\"Lima\"}")
                    .build())),
        AiMessage.builder().text("answer").thinking("first I think").build(),
        ToolExecutionResultMessage.from(WEATHER, "12 C, rain"),
        ToolExecutionResultMessage.from("call-2", "weather", "{\"error\":\"unknown city\"}"),
        CustomMessage.from(Map.of("kind", "note", "n", 3, "nested", Map.of("a", List.of("b")))));
  }

  @ParameterizedTest
  @MethodSource("messages")
  void everyMessageTypeRoundTripsEqual(ChatMessage message, @TempDir Path dir) {
    try (SwarmDB db = SwarmDB.open(SwarmDbConfig.builder(dir.resolve("swarm.db")).build())) {
      SwarmDbChatMemoryStore store = SwarmDbChatMemoryStore.create(db);
      store.updateMessages("conversation", List.of(message));
      assertThat(store.getMessages("conversation")).containsExactly(message);
    }
  }

  @BackendTest
  void aWholeConversationRoundTripsInOrderOnBothBackends(TestBackend backend) {
    SwarmDB db = backend.open();
    SwarmDbChatMemoryStore store = SwarmDbChatMemoryStore.create(db);
    List<ChatMessage> all = messages().toList();
    store.updateMessages(42, all);
    assertThat(store.getMessages(42)).isEqualTo(all);
    assertThat(store.getMessages("42")).as("the id is its toString()").isEqualTo(all);
    // the conversation is a session's memory, found by recall in that session's scope
    assertThat(db.sessions().get("42")).isPresent();
    assertThat(db.sessions().get("42").orElseThrow().metadata())
        .containsEntry("source", "langchain4j");
    assertThat(db.recall(Recall.query("rain").scopes(Scope.session("42")).memory()))
        .extracting(RecallHit::key)
        .containsExactly(SwarmDbChatMemoryStore.KEY);

    List<ChatMessage> shorter = List.of(SystemMessage.from("reset"), UserMessage.from("again"));
    store.updateMessages(42, shorter);
    assertThat(store.getMessages(42)).as("replaced, not appended").isEqualTo(shorter);
    store.updateMessages(42, List.of());
    assertThat(store.getMessages(42)).isEmpty();
  }

  @BackendTest
  void anExistingSessionIsUsedAsItIsAndDeleteKeepsItsOtherMemory(TestBackend backend) {
    SwarmDB db = backend.open();
    db.sessions().start("s1", Map.of("owner", "swarm"));
    db.sessions().memory("s1").put("semantic", "fact", "kept");
    SwarmDbChatMemoryStore store = SwarmDbChatMemoryStore.create(db);

    store.updateMessages("s1", List.of(UserMessage.from("hi")));
    assertThat(db.sessions().get("s1").orElseThrow().metadata())
        .isEqualTo(Map.of("owner", "swarm"));
    assertThat(db.sessions().memory("s1").keys(SwarmDbChatMemoryStore.MEMORY_TYPE))
        .containsExactly(SwarmDbChatMemoryStore.KEY);

    store.deleteMessages("s1");
    assertThat(store.getMessages("s1")).isEmpty();
    assertThat(db.sessions().get("s1")).isPresent();
    assertThat(db.sessions().memory("s1").get("semantic", "fact", String.class)).contains("kept");
    store.deleteMessages("s1"); // nothing stored: nothing happens
    store.deleteMessages("never-started");
    assertThat(db.sessions().get("never-started")).isEmpty();
  }

  @BackendTest
  void readingAnUnknownIdStartsNoSession(TestBackend backend) {
    SwarmDB db = backend.open();
    SwarmDbChatMemoryStore store = SwarmDbChatMemoryStore.create(db);
    assertThat(store.getMessages("unknown")).isEmpty();
    assertThat(db.sessions().count()).isZero();
  }

  @Test
  void memoryIdLengthLimitIs256Characters(@TempDir Path dir) {
    try (SwarmDB db = SwarmDB.open(SwarmDbConfig.builder(dir.resolve("swarm.db")).build())) {
      SwarmDbChatMemoryStore store = SwarmDbChatMemoryStore.create(db);
      List<ChatMessage> one = List.of(UserMessage.from("hi"));
      for (int length : new int[] {255, 256}) {
        String id = "m".repeat(length);
        store.updateMessages(id, one);
        assertThat(store.getMessages(id)).isEqualTo(one);
        store.deleteMessages(id);
      }
      String tooLong = "m".repeat(257);
      assertInvalid(
          () -> store.updateMessages(tooLong, one),
          "LangChain4j memory id 'mmm",
          "is not a SwarmDB session id",
          "257 characters long; the limit is 256");
      assertInvalid(() -> store.getMessages(tooLong), "257 characters long");
      assertInvalid(() -> store.deleteMessages(tooLong), "257 characters long");
      assertThat(db.sessions().count()).isEqualTo(2);
    }
  }

  @Test
  void badIdsAndMessagesAreRefusedBeforeAnyWrite(@TempDir Path dir) {
    try (SwarmDB db = SwarmDB.open(SwarmDbConfig.builder(dir.resolve("swarm.db")).build())) {
      SwarmDbChatMemoryStore store = SwarmDbChatMemoryStore.create(db);
      List<ChatMessage> one = List.of(UserMessage.from("hi"));
      assertInvalid(() -> store.updateMessages("  ", one), "'  '", "blank");
      assertInvalid(() -> store.updateMessages("a\0b", one), "NUL");
      assertInvalid(() -> store.updateMessages("a\uD800", one), "unpaired UTF-16 surrogate");
      Object nullName =
          new Object() {
            @Override
            @SuppressWarnings("NullAway") // the misbehaving id this test is about
            public String toString() {
              return null;
            }
          };
      assertInvalid(() -> store.getMessages(nullName), "has a null toString()");

      store.updateMessages("m", one);
      List<ChatMessage> withNull = new ArrayList<>(List.of(UserMessage.from("a")));
      withNull.add(null);
      assertInvalid(
          () -> store.updateMessages("m", withNull),
          "message 1 of the 2 given for memory id 'm' is null",
          "Nothing was written");
      // 16 MiB of JSON is SwarmDB's limit for one value: the conversation stays as it was
      List<ChatMessage> huge = List.of(UserMessage.from("x".repeat(17 * 1024 * 1024)));
      assertInvalid(() -> store.updateMessages("m", huge), "MiB");
      assertThat(store.getMessages("m")).isEqualTo(one);
      assertThat(db.sessions().count()).isEqualTo(1);
    }
  }

  @BackendTest
  void aStoredValueLangChain4jCannotReadIsCorruptNamingTheRow(TestBackend backend) {
    SwarmDB db = backend.open();
    db.sessions().start("s1");
    db.sessions()
        .memory("s1")
        .put(
            SwarmDbChatMemoryStore.MEMORY_TYPE,
            SwarmDbChatMemoryStore.KEY,
            Map.of("not", "a list"));
    SwarmDbChatMemoryStore store = SwarmDbChatMemoryStore.create(db);
    SwarmDbException e = assertFails(ErrorCode.CORRUPT, () -> store.getMessages("s1"));
    assertThat(e.getMessage())
        .contains(
            "session_memory row session 's1' type 'langchain4j' key 'messages'",
            "is not a message list LangChain4j can read",
            "deleteMessages");
    store.deleteMessages("s1"); // the way out the message names
    assertThat(store.getMessages("s1")).isEmpty();
  }

  /**
   * Four writers replace one new conversation at once, each with its own list (which also races the
   * start of its session), while a reader reads it: every read and the final list are exactly one
   * of the lists, never a mix. Repeated 200 times, each time on a new memory id.
   */
  @BackendTest
  void concurrentUpdatesOfOneIdLeaveExactlyOneOfTheLists(TestBackend backend) throws Exception {
    SwarmDB db = backend.open();
    SwarmDbChatMemoryStore store = SwarmDbChatMemoryStore.create(db);
    int writers = 4;
    for (int rep = 0; rep < 200; rep++) {
      String id = "race-" + rep;
      List<List<ChatMessage>> lists = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        List<ChatMessage> list = new ArrayList<>();
        for (int m = 0; m <= w + 1; m++) {
          list.add(m % 2 == 0 ? UserMessage.from("w" + w + " m" + m) : AiMessage.from("w" + w));
        }
        lists.add(List.copyOf(list));
      }
      List<List<List<ChatMessage>>> seen =
          Concurrently.run(
              writers + 1,
              t -> {
                if (t < writers) {
                  store.updateMessages(id, lists.get(t));
                  return List.of();
                }
                List<List<ChatMessage>> reads = new ArrayList<>();
                for (int r = 0; r < 5; r++) {
                  reads.add(store.getMessages(id));
                }
                return reads;
              });
      for (List<ChatMessage> read : seen.get(writers)) {
        assertThat(read.isEmpty() || lists.contains(read)).as("read %s", read).isTrue();
      }
      assertThat(lists).as("repetition %d", rep).contains(store.getMessages(id));
    }
    assertThat(db.sessions().count()).isEqualTo(200);
  }
}
