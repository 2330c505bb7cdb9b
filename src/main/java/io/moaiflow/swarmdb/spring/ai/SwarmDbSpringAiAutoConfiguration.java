package io.moaiflow.swarmdb.spring.ai;

import io.moaiflow.swarmdb.SwarmDB;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Boot auto-configuration of the Spring AI adapters, active when Spring AI is on the class
 * path and the application has a {@link SwarmDB} bean (from SwarmDB's Spring Boot
 * auto-configuration or its own): a {@link SwarmDbChatMemoryRepository} as the {@link
 * ChatMemoryRepository} unless the application defines one, and, when {@code
 * spring-ai-vector-store} is on the class path and the application has an {@link EmbeddingModel}
 * bean, a {@link SwarmDbVectorStore} (default scope, vector model id the embedding model's class
 * name) as the {@link VectorStore} unless the application defines one. It runs after SwarmDB's own
 * auto-configuration (named by string, so this class needs nothing of it). This class is stateless
 * and thread safe.
 */
@AutoConfiguration(afterName = "io.moaiflow.swarmdb.spring.SwarmDbAutoConfiguration")
@ConditionalOnClass(ChatMemoryRepository.class)
@ConditionalOnBean(SwarmDB.class)
public class SwarmDbSpringAiAutoConfiguration {

  /** Created by Spring. */
  public SwarmDbSpringAiAutoConfiguration() {}

  /**
   * The chat memory repository over the application's database.
   *
   * @param db the application's database
   * @return the repository
   */
  @Bean
  @ConditionalOnMissingBean(ChatMemoryRepository.class)
  public SwarmDbChatMemoryRepository swarmDbChatMemoryRepository(SwarmDB db) {
    return SwarmDbChatMemoryRepository.create(db);
  }

  /** The vector store, when Spring AI's vector store API and an embedding model are there. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(VectorStore.class)
  @ConditionalOnBean(EmbeddingModel.class)
  static class VectorStoreConfiguration {

    @Bean
    @ConditionalOnMissingBean(VectorStore.class)
    SwarmDbVectorStore swarmDbVectorStore(SwarmDB db, EmbeddingModel embeddingModel) {
      return SwarmDbVectorStore.builder(db, embeddingModel).build();
    }
  }
}
