package io.moaiflow.swarmdb.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.MemoryId;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real LangChain4j {@link AiServices} chat, with a scripted {@link ChatModel} (no network), whose
 * memory lives in SwarmDB: the conversation, tool call included, survives closing and reopening the
 * database file, and the model sees it in its next request.
 */
class AiServicesChatMemoryTest {

  interface Assistant {
    @dev.langchain4j.service.SystemMessage("You are a weather assistant.")
    String chat(@MemoryId String user, @dev.langchain4j.service.UserMessage String message);
  }

  static final class WeatherTools {
    @Tool("the weather in a city today")
    String weather(@P("the city") String city) {
      return "12 C and rain in " + city;
    }
  }

  /** Answers from a script and records every request it gets. Not thread safe. */
  static final class ScriptedModel implements ChatModel {
    final Deque<AiMessage> script = new ArrayDeque<>();
    final List<List<ChatMessage>> requests = new ArrayList<>();

    ScriptedModel(AiMessage... replies) {
      script.addAll(List.of(replies));
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
      requests.add(List.copyOf(request.messages()));
      return ChatResponse.builder().aiMessage(script.removeFirst()).build();
    }
  }

  static Assistant assistant(SwarmDB db, ChatModel model) {
    SwarmDbChatMemoryStore store = SwarmDbChatMemoryStore.create(db);
    return AiServices.builder(Assistant.class)
        .chatModel(model)
        .tools(new WeatherTools())
        .chatMemoryProvider(
            id ->
                MessageWindowChatMemory.builder()
                    .id(id)
                    .maxMessages(20)
                    .chatMemoryStore(store)
                    .build())
        .build();
  }

  @Test
  void theConversationSurvivesARestart(@TempDir Path dir) {
    SwarmDbConfig config = SwarmDbConfig.builder(dir.resolve("swarm.db")).build();
    ToolExecutionRequest call =
        ToolExecutionRequest.builder()
            .id("call-1")
            .name("weather")
            .arguments("{\"city\":\"Oslo\"}")
            .build();
    List<ChatMessage> firstTurn = new ArrayList<>();
    try (SwarmDB db = SwarmDB.open(config)) {
      ScriptedModel model =
          new ScriptedModel(AiMessage.from(call), AiMessage.from("Rain in Oslo, Alice: 12 C."));
      assertThat(assistant(db, model).chat("alice", "I am Alice. Weather in Oslo?"))
          .isEqualTo("Rain in Oslo, Alice: 12 C.");
      List<ChatMessage> second = model.requests.get(1);
      assertThat(second)
          .as("the tool ran and its result went back to the model")
          .hasSize(4)
          .startsWith(
              SystemMessage.from("You are a weather assistant."),
              UserMessage.from("I am Alice. Weather in Oslo?"),
              AiMessage.from(call));
      assertThat(((ToolExecutionResultMessage) second.get(3)).text())
          .isEqualTo("12 C and rain in Oslo");
      firstTurn.addAll(second);
      firstTurn.add(AiMessage.from("Rain in Oslo, Alice: 12 C."));
    }

    try (SwarmDB db = SwarmDB.open(config)) { // the same file, a new process's view of it
      ScriptedModel model = new ScriptedModel(AiMessage.from("You are Alice."));
      Assistant assistant = assistant(db, model);
      assertThat(assistant.chat("alice", "Who am I?")).isEqualTo("You are Alice.");
      List<ChatMessage> expected = new ArrayList<>(firstTurn);
      expected.add(UserMessage.from("Who am I?"));
      assertThat(model.requests).containsExactly(expected);

      ScriptedModel other = new ScriptedModel(AiMessage.from("Hello."));
      assertThat(assistant(db, other).chat("bob", "Hi")).isEqualTo("Hello.");
      assertThat(other.requests.get(0))
          .as("another memory id has its own conversation")
          .containsExactly(
              SystemMessage.from("You are a weather assistant."), UserMessage.from("Hi"));
      assertThat(SwarmDbChatMemoryStore.create(db).getMessages("alice"))
          .hasSize(7)
          .endsWith(AiMessage.from("You are Alice."));
    }
  }
}
