package io.moaiflow.swarmdb.spring.ai;

import io.moaiflow.swarmdb.SwarmDB;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot auto-configuration of the Spring AI adapters, active when Spring AI is on the class
 * path and the application has a {@link SwarmDB} bean (from SwarmDB's Spring Boot
 * auto-configuration or its own): a {@link SwarmDbChatMemoryRepository} as the {@link
 * ChatMemoryRepository} unless the application defines one. It runs after SwarmDB's own
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
}
