/**
 * Spring AI on SwarmDB: {@link io.moaiflow.swarmdb.spring.ai.SwarmDbChatMemoryRepository} (a {@code
 * ChatMemoryRepository}: each conversation is a SwarmDB session and its messages that session's
 * memory) and {@link io.moaiflow.swarmdb.spring.ai.SwarmDbVectorStore} (a {@code VectorStore} over
 * one memory scope and recall), with {@link
 * io.moaiflow.swarmdb.spring.ai.SwarmDbSpringAiAutoConfiguration} registering both in a Spring Boot
 * application. Spring AI ({@code org.springframework.ai:spring-ai-model}, {@code
 * spring-ai-vector-store}) and Spring Boot are optional dependencies: an application that uses this
 * package has them already; nothing else in the library refers to it, so an application without
 * them never loads these classes.
 */
@NullMarked
package io.moaiflow.swarmdb.spring.ai;

import org.jspecify.annotations.NullMarked;
