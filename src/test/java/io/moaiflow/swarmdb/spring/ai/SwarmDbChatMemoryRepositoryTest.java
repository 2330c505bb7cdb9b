package io.moaiflow.swarmdb.spring.ai;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static io.moaiflow.swarmdb.spring.ai.SwarmDbChatMemoryRepository.MEMORY_TYPE;
import static io.moaiflow.swarmdb.spring.ai.SwarmDbChatMemoryRepository.MESSAGE_TIMESTAMP;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.Concurrently;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.MutableClock;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.backend.BackendTest;
import io.moaiflow.swarmdb.backend.TestBackend;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.content.Media;
import org.springframework.ai.content.MediaContent;
import org.springframework.util.MimeTypeUtils;

/** {@link SwarmDbChatMemoryRepository} on both backends, alone and under Spring AI's window. */
class SwarmDbChatMemoryRepositoryTest {
  static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

  final MutableClock clock = new MutableClock(T0);
  SwarmDB db;
  SwarmDbChatMemoryRepository repo;

  @BeforeEach
  void open(TestBackend backend) {
    db = backend.open(clock);
    repo = SwarmDbChatMemoryRepository.create(db);
  }

  /** Every message type, with metadata, media, tool calls and times, reads back field by field. */
  @BackendTest
  void everyMessageTypeRoundTrips() throws Exception {
    Instant at = Instant.parse("2026-05-30T08:15:30.123Z");
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("s", "x");
    meta.put("i", 7);
    meta.put("big", 12_345_678_901L);
    meta.put("d", 1.5);
    meta.put("b", true);
    meta.put("list", List.of("a", 2));
    meta.put("map", Map.of("k", "v"));
    meta.put(MESSAGE_TIMESTAMP, at);
    List<Message> cases =
        List.of(
            SystemMessage.builder().text("be brief").metadata(meta).build(),
            UserMessage.builder().text("hi ünïcode ✓").metadata(meta).build(),
            UserMessage.builder()
                .text("look")
                .media(
                    Media.builder()
                        .mimeType(MimeTypeUtils.IMAGE_PNG)
                        .data(new byte[] {1, 2, 3, (byte) 255})
                        .id("img-1")
                        .name("dot")
                        .build(),
                    Media.builder()
                        .mimeType(MimeTypeUtils.TEXT_PLAIN)
                        .data("inline text")
                        .name("note")
                        .build(),
                    Media.builder()
                        .mimeType(MimeTypeUtils.IMAGE_JPEG)
                        .data(URI.create("https://example.org/a.jpg").toURL())
                        .name("remote")
                        .build())
                .metadata(meta)
                .build(),
            AssistantMessage.builder().content("plain answer").properties(meta).build(),
            AssistantMessage.builder().content(null).properties(meta).build(),
            AssistantMessage.builder()
                .content("")
                .properties(meta)
                .toolCalls(
                    List.of(
                        new AssistantMessage.ToolCall("call-1", "function", "weather", "{\"c\":1}"),
                        new AssistantMessage.ToolCall("call-2", "function", "time", "{}")))
                .build(),
            ToolResponseMessage.builder()
                .responses(
                    List.of(
                        new ToolResponseMessage.ToolResponse("call-1", "weather", "sunny"),
                        new ToolResponseMessage.ToolResponse("call-2", "time", "10:00")))
                .metadata(meta)
                .build());
    repo.saveAll("c", cases);

    List<Message> back = repo.findByConversationId("c");
    assertThat(back).hasSameSizeAs(cases);
    for (int i = 0; i < cases.size(); i++) {
      Message want = cases.get(i);
      Message got = back.get(i);
      assertThat(got.getClass()).as("message %d", i).isEqualTo(want.getClass());
      // Spring AI's equals: type, text, metadata (with the time), tool calls and responses.
      assertThat(got).as("message %d", i).isEqualTo(want);
      assertThat(got.getMetadata().get(MESSAGE_TIMESTAMP)).isEqualTo(at);
      if (want instanceof MediaContent wm) {
        List<Media> gm = ((MediaContent) got).getMedia();
        assertThat(gm).hasSameSizeAs(wm.getMedia());
        for (int j = 0; j < gm.size(); j++) {
          Media w = wm.getMedia().get(j);
          Media g = gm.get(j);
          assertThat(g.getMimeType()).isEqualTo(w.getMimeType());
          assertThat(g.getId()).isEqualTo(w.getId());
          assertThat(g.getName()).isEqualTo(w.getName());
          if (w.getData() instanceof byte[] bytes) {
            assertThat(g.getDataAsByteArray()).isEqualTo(bytes);
          } else {
            assertThat(g.getData()).isEqualTo(w.getData());
          }
        }
      }
    }
    assertThat(((AssistantMessage) back.get(5)).getToolCalls())
        .extracting(AssistantMessage.ToolCall::name)
        .containsExactly("weather", "time");
    assertThat(back.get(4).getText()).isNull();
  }

  /** A message saved without a time gets the database clock's, and keeps it through later saves. */
  @BackendTest
  void eachMessageKeepsItsTime() {
    repo.saveAll("c", List.of(new UserMessage("one")));
    clock.advance(Duration.ofMinutes(5));
    List<Message> later = new ArrayList<>(repo.findByConversationId("c"));
    later.add(new AssistantMessage("two"));
    repo.saveAll("c", later);
    clock.advance(Duration.ofMinutes(5));
    // A replacement (not a prefix) keeps the times the messages carry as well.
    repo.saveAll("c", List.of(repo.findByConversationId("c").get(1)));

    assertThat(repo.findByConversationId("c"))
        .extracting(m -> m.getMetadata().get(MESSAGE_TIMESTAMP))
        .containsExactly(T0.plus(Duration.ofMinutes(5)));
    repo.saveAll("c", List.of(new UserMessage("three")));
    assertThat(repo.findByConversationId("c").get(0).getMetadata().get(MESSAGE_TIMESTAMP))
        .isEqualTo(T0.plus(Duration.ofMinutes(10)));
  }

  /** Appending to the stored list writes the new messages and the length, nothing else. */
  @BackendTest
  void anExtendedListAppendsOnlyTheNewMessages() {
    repo.saveAll("c", List.of(new UserMessage("a"), new AssistantMessage("b")));
    Map<String, MemoryEntry> before = entries("c");
    clock.advance(Duration.ofSeconds(30));

    List<Message> next = new ArrayList<>(repo.findByConversationId("c"));
    next.add(new UserMessage("c"));
    next.add(new AssistantMessage("d"));
    repo.saveAll("c", next);

    Map<String, MemoryEntry> after = entries("c");
    assertThat(after)
        .containsOnlyKeys("0000000000", "0000000001", "0000000002", "0000000003", "length");
    for (String k : List.of("0000000000", "0000000001")) {
      assertThat(after.get(k)).as(k).isEqualTo(before.get(k)); // same version, same updatedAt
      assertThat(after.get(k).version()).isEqualTo(1);
    }
    assertThat(after.get("0000000002").createdAt()).isEqualTo(T0.plusSeconds(30));
    assertThat(after.get("length").version()).isEqualTo(2);
    assertThat(texts(repo.findByConversationId("c"))).containsExactly("a", "b", "c", "d");

    // The same list again writes nothing at all.
    clock.advance(Duration.ofSeconds(30));
    repo.saveAll("c", repo.findByConversationId("c"));
    assertThat(entries("c")).isEqualTo(after);
  }

  /** A list the stored one is not a prefix of replaces it; dropped messages are deleted. */
  @BackendTest
  void anotherListReplacesTheConversation() {
    repo.saveAll(
        "c",
        List.of(
            new UserMessage("a"),
            new AssistantMessage("b"),
            new UserMessage("c"),
            new AssistantMessage("d")));
    List<Message> stored = repo.findByConversationId("c");

    repo.saveAll("c", List.of(stored.get(2), new AssistantMessage("e")));
    assertThat(texts(repo.findByConversationId("c"))).containsExactly("c", "e");
    assertThat(entries("c")).containsOnlyKeys("0000000000", "0000000001", "length");

    repo.saveAll("c", List.of());
    assertThat(repo.findByConversationId("c")).isEmpty();
    assertThat(entries("c")).containsOnlyKeys("length");
    assertThat(repo.findConversationIds()).doesNotContain("c");
  }

  /** Spring AI's own window over the repository: it evicts, keeps the system message, and reads. */
  @BackendTest
  void messageWindowChatMemoryOverTheRepository() {
    MessageWindowChatMemory memory =
        MessageWindowChatMemory.builder().chatMemoryRepository(repo).maxMessages(4).build();
    memory.add("w", List.of(new SystemMessage("rules"), new UserMessage("q1")));
    memory.add("w", List.of(new AssistantMessage("a1")));
    Map<String, MemoryEntry> twoTurns = entries("w");
    memory.add("w", List.of(new UserMessage("q2")));
    assertThat(entries("w").get("0000000000")).isEqualTo(twoTurns.get("0000000000"));
    memory.add("w", List.of(new AssistantMessage("a2"), new UserMessage("q3")));

    assertThat(texts(memory.get("w"))).containsExactly("rules", "q2", "a2", "q3");
    assertThat(memory.get("w").get(0).getMessageType()).isEqualTo(MessageType.SYSTEM);
    // A new SwarmDB over the same database reads the same window.
    assertThat(texts(SwarmDbChatMemoryRepository.create(db).findByConversationId("w")))
        .containsExactly("rules", "q2", "a2", "q3");
    memory.clear("w");
    assertThat(memory.get("w")).isEmpty();
  }

  /**
   * Threads saving different lists to one conversation at once leave exactly one of them: never an
   * interleaving of two. Half extend the stored list (appends), half replace it.
   */
  @BackendTest
  void concurrentSavesLeaveExactlyOneOfTheLists() throws Exception {
    int threads = 4;
    for (int round = 0; round < 100; round++) {
      String id = "race-" + round;
      repo.saveAll(id, List.of(new UserMessage("base")));
      List<Message> base = repo.findByConversationId(id);
      List<List<Message>> lists = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        List<Message> l = new ArrayList<>(t % 2 == 0 ? base : List.of());
        for (int i = 0; i <= t; i++) {
          l.add(new UserMessage("t" + t + "-" + i));
        }
        lists.add(l);
      }
      SwarmDbChatMemoryRepository other = SwarmDbChatMemoryRepository.create(db);
      Concurrently.run(
          threads,
          t -> {
            (t % 2 == 0 ? repo : other).saveAll(id, lists.get(t));
            return null;
          });
      List<String> got = texts(repo.findByConversationId(id));
      assertThat(lists.stream().map(SwarmDbChatMemoryRepositoryTest::texts).toList())
          .as("round %d", round)
          .contains(got);
    }
  }

  @BackendTest
  void conversationIdsAreThoseWithMessages() {
    db.sessions().start("no-chat");
    repo.saveAll("one", List.of(new UserMessage("a")));
    clock.advance(Duration.ofSeconds(1));
    repo.saveAll("two", List.of(new UserMessage("b")));
    assertThat(repo.findConversationIds()).containsExactly("two", "one");
    assertThat(db.sessions().get("one").orElseThrow().metadata())
        .containsEntry("source", "spring-ai");

    repo.deleteByConversationId("one");
    assertThat(repo.findConversationIds()).containsExactly("two");
    assertThat(repo.findByConversationId("one")).isEmpty();
    assertThat(db.sessions().get("one")).as("erased with its session").isEmpty();
    repo.deleteByConversationId("one"); // again: nothing to do
    repo.deleteByConversationId("never-saved");

    // A deleted conversation can start again, in a new session.
    repo.saveAll("one", List.of(new UserMessage("again")));
    assertThat(texts(repo.findByConversationId("one"))).containsExactly("again");
    assertThat(repo.findConversationIds()).containsExactlyInAnyOrder("one", "two");
  }

  /** The listing pages through sessions 1,000 at a time: conversations on both sides of a page. */
  @BackendTest
  void conversationIdsSpanPagesOfSessions() {
    repo.saveAll("a-first", List.of(new UserMessage("x")));
    for (int i = 0; i < 1_000; i++) {
      db.sessions().start(String.format("b-%04d", i));
    }
    repo.saveAll("c-last", List.of(new UserMessage("y")));
    // Started in one millisecond: their order is the tie-break's, not asserted here.
    assertThat(repo.findConversationIds()).containsExactlyInAnyOrder("c-last", "a-first");
  }

  /** A conversation in an existing session (started by the application) uses that session. */
  @BackendTest
  void anExistingSessionIsTheConversation() {
    db.sessions().start("app", Map.of("owner", "me"));
    repo.saveAll("app", List.of(new UserMessage("hi")));
    assertThat(db.sessions().get("app").orElseThrow().metadata())
        .containsExactly(Map.entry("owner", "me"));
    assertThat(texts(repo.findByConversationId("app"))).containsExactly("hi");
  }

  @BackendTest
  void badInputIsRefusedBeforeAnythingIsWritten() {
    repo.saveAll("c", List.of(new UserMessage("kept")));
    Map<String, MemoryEntry> before = entries("c");
    List<Message> withNull = new ArrayList<>();
    withNull.add(new UserMessage("x"));
    withNull.add(null);
    assertInvalid(() -> repo.saveAll("c", withNull), "message 1", "is null");

    Map<String, Object> badTime = new HashMap<>();
    badTime.put(MESSAGE_TIMESTAMP, "2026-01-01T00:00:00Z");
    assertInvalid(
        () -> repo.saveAll("c", List.of(UserMessage.builder().text("x").metadata(badTime).build())),
        "message 0",
        MESSAGE_TIMESTAMP,
        "java.lang.String",
        "java.time.Instant");

    Map<String, Object> unwritable = Map.of("thread", new Object());
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        () ->
            repo.saveAll(
                "c",
                List.of(
                    new UserMessage("kept"),
                    UserMessage.builder().text("x").metadata(unwritable).build())));

    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        () ->
            repo.saveAll(
                "new", List.of(UserMessage.builder().text("x").metadata(unwritable).build())));
    assertThat(db.sessions().get("new")).as("a refused first save starts no session").isEmpty();
    assertInvalid(() -> repo.saveAll(" ", List.of(new UserMessage("x"))), "non-blank");
    assertInvalid(() -> repo.findByConversationId(""), "non-blank");
    assertInvalid(() -> repo.deleteByConversationId("a".repeat(257)), "257", "256");
    repo.saveAll("a".repeat(256), List.of(new UserMessage("longest id")));
    assertThat(repo.findByConversationId("a".repeat(256))).hasSize(1);
    assertThat(entries("c")).isEqualTo(before);
    assertThat(db.sessions().count()).isEqualTo(2); // "c" and the longest id: no other started
  }

  @BackendTest
  void aConversationHoldsAtMostMaxMessages() {
    int max = SwarmDbChatMemoryRepository.MAX_MESSAGES;
    repo.saveAll("under", messages(max - 1));
    assertThat(repo.findByConversationId("under")).hasSize(max - 1);
    repo.saveAll("at", messages(max));
    List<Message> at = repo.findByConversationId("at");
    assertThat(at).hasSize(max);
    assertThat(at.get(max - 1).getText()).isEqualTo("m" + (max - 1));
    assertInvalid(() -> repo.saveAll("over", messages(max + 1)), "10000 messages", "limit is 9999");
    assertThat(db.sessions().get("over")).isEmpty();
  }

  @BackendTest
  void damagedStoredMessagesAreCorruptNamingTheRow() {
    repo.saveAll("c", List.of(new UserMessage("a"), new UserMessage("b")));
    SessionMemory m = db.sessions().memory("c");

    m.put(MEMORY_TYPE, "0000000001", Map.of("type", "GOSSIP", "text", "?"));
    assertCorrupt("session_id 'c'", "key '0000000001'", "GOSSIP");
    m.put(MEMORY_TYPE, "0000000001", "just text");
    assertCorrupt("key '0000000001'", "type");
    m.put(
        MEMORY_TYPE,
        "0000000001",
        Map.of("type", "USER", "text", "b", "at", "yesterday", "metadata", Map.of()));
    assertCorrupt("key '0000000001'", "yesterday");

    Map<String, Object> user = new LinkedHashMap<>();
    user.put("type", "USER");
    user.put("at", T0.toString());
    user.put("metadata", Map.of());
    m.put(MEMORY_TYPE, "0000000001", user);
    assertCorrupt("key '0000000001'", "text is missing");
    user.put("text", "b");
    user.put("metadata", 5);
    m.put(MEMORY_TYPE, "0000000001", user);
    assertCorrupt("metadata is not an object");
    user.put("metadata", Map.of());
    user.put("media", "none");
    m.put(MEMORY_TYPE, "0000000001", user);
    assertCorrupt("media is not an array");
    user.put("media", List.of(Map.of("mimeType", "image/png", "name", "n", "url", "zz://x")));
    m.put(MEMORY_TYPE, "0000000001", user);
    assertCorrupt("media url");

    m.delete(MEMORY_TYPE, "0000000001");
    assertCorrupt("has 1 messages but its length entry says 2");
    m.put(MEMORY_TYPE, "0000000001", user);
    m.delete(MEMORY_TYPE, "0000000000");
    assertCorrupt("key '0000000001'", "message 0 is missing");
    m.put(MEMORY_TYPE, "length", "two");
    assertCorrupt("key 'length'", "not a message count");
    assertFails(ErrorCode.CORRUPT, () -> repo.findConversationIds());
    m.put(MEMORY_TYPE, "length", 1);
    m.put(MEMORY_TYPE, "stray", 1);
    assertCorrupt("key 'stray'", "not a message position");
  }

  /** Message entries past the length (left by a save that stopped before its deletes) go. */
  @BackendTest
  void entriesPastTheLengthAreDeletedByTheNextSave() {
    repo.saveAll("c", List.of(new UserMessage("a"), new UserMessage("b")));
    SessionMemory m = db.sessions().memory("c");
    m.put(MEMORY_TYPE, "0000000007", Map.of("left", "over"));
    assertThat(texts(repo.findByConversationId("c"))).containsExactly("a", "b");

    repo.saveAll("c", repo.findByConversationId("c")); // unchanged, but the leftover goes
    assertThat(entries("c")).containsOnlyKeys("0000000000", "0000000001", "length");
  }

  /** Media whose data is none of the kinds Spring AI's builder takes is refused, not dropped. */
  @BackendTest
  void mediaOfAnotherDataKindIsRefused() {
    Media odd =
        new Media(MimeTypeUtils.IMAGE_PNG, URI.create("https://example.org/x.png")) {
          @Override
          public Object getData() {
            return 42;
          }
        };
    assertInvalid(
        () -> repo.saveAll("c", List.of(UserMessage.builder().text("x").media(odd).build())),
        "message 0",
        "java.lang.Integer",
        "bytes, a String or a URL");
    assertThat(repo.findConversationIds()).isEmpty();
  }

  private void assertCorrupt(String... fragments) {
    assertThat(assertFails(ErrorCode.CORRUPT, () -> repo.findByConversationId("c")).getMessage())
        .contains(fragments)
        .contains("session_memory");
  }

  private static List<Message> messages(int n) {
    return IntStream.range(0, n).mapToObj(i -> (Message) new UserMessage("m" + i)).toList();
  }

  private Map<String, MemoryEntry> entries(String conversationId) {
    return db.sessions().memory(conversationId).findByPrefix(MEMORY_TYPE, "").stream()
        .collect(Collectors.toMap(MemoryEntry::key, e -> e));
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().map(Message::getText).toList();
  }
}
