package io.moaiflow.swarmdb.spring.ai;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.memory.InMemoryChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The auto-configuration in an application context, as Spring Boot runs it. */
class SwarmDbSpringAiAutoConfigurationTest {
  @TempDir Path dir;

  ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SwarmDbSpringAiAutoConfiguration.class))
        .withBean(
            SwarmDB.class,
            () -> SwarmDB.open(SwarmDbConfig.builder(dir.resolve("app.db")).build()),
            d -> d.setDestroyMethodName("close"));
  }

  @Test
  void theImportsFileNamesTheAutoConfiguration() {
    assertThat(ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()))
        .contains(SwarmDbSpringAiAutoConfiguration.class.getName());
  }

  @Test
  void aSwarmDbBeanGetsTheRepositoryAndAWindowOverItRemembers() {
    runner()
        .run(
            context -> {
              assertThat(context).hasSingleBean(SwarmDbChatMemoryRepository.class);
              assertThat(context).doesNotHaveBean(VectorStore.class); // no EmbeddingModel
              ChatMemory memory =
                  MessageWindowChatMemory.builder()
                      .chatMemoryRepository(context.getBean(ChatMemoryRepository.class))
                      .build();
              memory.add("conv", List.of(new UserMessage("remember me")));
            });
    // A new context over the same file reads the conversation back.
    runner()
        .run(
            context ->
                assertThat(context.getBean(ChatMemoryRepository.class).findByConversationId("conv"))
                    .extracting(Message::getText)
                    .containsExactly("remember me"));
  }

  @Test
  void anEmbeddingModelBeanAddsTheVectorStore() {
    runner()
        .withBean(EmbeddingModel.class, () -> new WordHashEmbeddingModel(16))
        .run(
            context -> {
              assertThat(context).hasSingleBean(SwarmDbVectorStore.class);
              VectorStore store = context.getBean(VectorStore.class);
              store.add(List.of(new Document("d1", "spring ai", Map.of())));
              assertThat(store.similaritySearch("spring"))
                  .extracting(Document::getId)
                  .containsExactly("d1");
              assertThat(((SwarmDbVectorStore) store).scope())
                  .isEqualTo(SwarmDbVectorStore.DEFAULT_SCOPE);
            });
  }

  @Test
  void theApplicationsOwnBeansWin() {
    VectorStore own =
        org.springframework.ai.vectorstore.SimpleVectorStore.builder(new WordHashEmbeddingModel(8))
            .build();
    runner()
        .withBean(EmbeddingModel.class, () -> new WordHashEmbeddingModel(16))
        .withBean(ChatMemoryRepository.class, InMemoryChatMemoryRepository::new)
        .withBean(VectorStore.class, () -> own)
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(SwarmDbChatMemoryRepository.class);
              assertThat(context).doesNotHaveBean(SwarmDbVectorStore.class);
              assertThat(context.getBean(VectorStore.class)).isSameAs(own);
            });
  }

  @Test
  void nothingWithoutASwarmDbBean() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SwarmDbSpringAiAutoConfiguration.class))
        .withBean(EmbeddingModel.class, () -> new WordHashEmbeddingModel(16))
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(ChatMemoryRepository.class);
              assertThat(context).doesNotHaveBean(VectorStore.class);
            });
  }

  @Test
  void withoutSpringAiOnTheClassPathNothingIsRegistered() {
    runner()
        .withClassLoader(new FilteredClassLoader("org.springframework.ai"))
        .run(context -> assertThat(context).doesNotHaveBean(SwarmDbChatMemoryRepository.class));
    runner()
        .withBean(EmbeddingModel.class, () -> new WordHashEmbeddingModel(16))
        .withClassLoader(new FilteredClassLoader(VectorStore.class))
        .run(
            context -> {
              assertThat(context).hasSingleBean(SwarmDbChatMemoryRepository.class);
              assertThat(context).doesNotHaveBean(SwarmDbVectorStore.class);
            });
  }
}
