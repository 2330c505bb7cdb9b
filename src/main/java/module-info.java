/**
 * SwarmDB: the persistent memory of a multi-agent swarm. The module exports only the public API
 * (the facade and its values, health, metrics, migrate, and the embeddable ops endpoint); {@code
 * io.moaiflow.swarmdb.internal} with its backend packages, and the executable's {@code cli}, stay
 * hidden. The optional parts (Micrometer metrics, the PostgreSQL driver, the MiniLM embedder's
 * LangChain4j model, the LangChain4j integration's {@code langchain4j-core}, Spring Boot, its
 * Actuator modules and Spring AI for the Spring integrations, and the executable's picocli, Logback
 * and Prometheus registry) are {@code requires static}: an application that uses one of them puts
 * it on its module path itself. Micrometer, the PostgreSQL driver, LangChain4j, Spring and Spring
 * AI are automatic modules (named by their manifests or, for LangChain4j and Spring AI, their file
 * names), hence the suppressed lint.
 */
@SuppressWarnings("requires-automatic")
module io.moaiflow.swarmdb {
  requires transitive java.sql;
  requires org.xerial.sqlitejdbc;
  requires com.zaxxer.hikari;
  requires transitive com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires com.fasterxml.jackson.datatype.jdk8;
  requires org.slf4j;
  requires static org.jspecify;
  requires static micrometer.core;
  requires static org.postgresql.jdbc;
  requires static info.picocli;
  requires static ch.qos.logback.classic;
  requires static ch.qos.logback.core;
  requires static micrometer.registry.prometheus;
  requires static jdk.httpserver;
  requires static langchain4j.core;
  requires static langchain4j.embeddings;
  requires static langchain4j.embeddings.all.minilm.l6.v2.q;
  requires static spring.ai.commons;
  requires static spring.ai.model;
  requires static spring.ai.vector.store;
  requires static spring.beans;
  requires static spring.boot.actuator;
  requires static spring.boot.autoconfigure;
  requires static spring.boot.health;
  requires static spring.boot;
  requires static spring.context;
  requires static spring.core;

  exports io.moaiflow.swarmdb;
  exports io.moaiflow.swarmdb.health;
  exports io.moaiflow.swarmdb.metrics;
  exports io.moaiflow.swarmdb.migrate;
  exports io.moaiflow.swarmdb.ops;
  exports io.moaiflow.swarmdb.embed;
  exports io.moaiflow.swarmdb.spring;
  exports io.moaiflow.swarmdb.langchain4j;
  exports io.moaiflow.swarmdb.spring.ai;

  // picocli fills the executable's option fields by reflection
  opens io.moaiflow.swarmdb.cli to
      info.picocli;
  // Spring binds the swarmdb.* properties and creates the auto-configuration by reflection
  opens io.moaiflow.swarmdb.spring to
      spring.core,
      spring.beans,
      spring.context,
      spring.boot;
}
