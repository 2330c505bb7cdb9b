package io.moaiflow.swarmdb.spring.ai;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.TempSwarmDb;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;

/**
 * Random conversations under random edits (append, evict from the front, edit one message, clear):
 * after every save the conversation reads back as saved (each message equal to what was given, with
 * its time), an append leaves the earlier entries untouched, and a refused save (text the database
 * cannot hold) changes nothing. Fixed seeds keep runs repeatable.
 */
class ChatMemoryPropertiesTest {
  private static final TempSwarmDb SWARM =
      TempSwarmDb.withSession("chat-props.db", "unused").open();
  private static final SwarmDbChatMemoryRepository REPO =
      SwarmDbChatMemoryRepository.create(SWARM.db());
  private static final AtomicLong COUNTER = new AtomicLong();

  @AfterContainer
  static void close() throws IOException {
    SWARM.close();
  }

  /** One edit: what to do, how many, and the messages it adds. */
  record Edit(int kind, int count, List<Message> added) {}

  @Provide
  Arbitrary<String> text() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(40),
        Arbitraries.of("", " ", "한국어 🚀", "\"quoted\" {json}", "line\nbreak"));
  }

  @Provide
  Arbitrary<Message> message() {
    Arbitrary<String> t = text();
    return Arbitraries.oneOf(
        Combinators.combine(t, Arbitraries.integers())
            .as((s, n) -> UserMessage.builder().text(s).metadata(Map.of("n", n)).build()),
        t.map(SystemMessage::new),
        t.injectNull(0.2).map(AssistantMessage::new),
        Combinators.combine(t, t)
            .as(
                (name, args) ->
                    AssistantMessage.builder()
                        .content("")
                        .toolCalls(
                            List.of(new AssistantMessage.ToolCall("id", "function", name, args)))
                        .build()),
        t.map(
            data ->
                ToolResponseMessage.builder()
                    .responses(List.of(new ToolResponseMessage.ToolResponse("id", "tool", data)))
                    .build()));
  }

  @Provide
  Arbitrary<List<Edit>> edits() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 3),
            Arbitraries.integers().between(0, 4),
            message().list().ofMaxSize(4))
        .as(Edit::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(8);
  }

  @Property(tries = 150, seed = "20261201")
  void everySaveReadsBackAsSaved(@ForAll("edits") List<Edit> edits) {
    String id = "conv-" + COUNTER.incrementAndGet();
    for (Edit e : edits) {
      List<Message> stored = REPO.findByConversationId(id);
      List<Message> next = new ArrayList<>(stored);
      switch (e.kind()) {
        case 0 -> next.addAll(e.added()); // a new turn
        case 1 -> next.subList(0, Math.min(e.count(), next.size())).clear(); // window eviction
        case 2 -> {
          if (!next.isEmpty() && !e.added().isEmpty()) {
            next.set(e.count() % next.size(), e.added().get(0)); // an edited message
          }
        }
        default -> next.clear();
      }
      Map<String, MemoryEntry> before = entries(id);
      try {
        REPO.saveAll(id, next);
      } catch (SwarmDbException refused) {
        assertThat(refused.code()).as(refused.getMessage()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(entries(id)).isEqualTo(before);
        assertThat(REPO.findByConversationId(id)).isEqualTo(stored);
        if (before.isEmpty()) {
          assertThat(SWARM.db().sessions().get(id))
              .as("no session for a refused first save")
              .isEmpty();
        }
        continue;
      }
      List<Message> back = REPO.findByConversationId(id);
      assertThat(back).hasSameSizeAs(next);
      for (int i = 0; i < next.size(); i++) {
        Message want = next.get(i);
        Message got = back.get(i);
        assertThat(got.getClass()).isEqualTo(want.getClass());
        if (want.getMetadata().containsKey(SwarmDbChatMemoryRepository.MESSAGE_TIMESTAMP)) {
          assertThat(got).isEqualTo(want); // a message read before keeps everything, time too
        } else {
          assertThat(got.getText()).isEqualTo(want.getText());
          assertThat(got.getMetadata()).containsAllEntriesOf(without(want.getMetadata()));
        }
      }
      if (e.kind() == 0) {
        Map<String, MemoryEntry> after = entries(id);
        for (int i = 0; i < stored.size(); i++) {
          String key = String.format("%010d", i);
          assertThat(after.get(key)).as("untouched %s", key).isEqualTo(before.get(key));
        }
      }
    }
  }

  private static Map<String, Object> without(Map<String, Object> metadata) {
    return metadata.entrySet().stream()
        .filter(x -> !x.getKey().equals("messageType"))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  private static Map<String, MemoryEntry> entries(String id) {
    return SWARM
        .db()
        .sessions()
        .memory(id)
        .findByPrefix(SwarmDbChatMemoryRepository.MEMORY_TYPE, "")
        .stream()
        .collect(Collectors.toMap(MemoryEntry::key, x -> x));
  }
}
