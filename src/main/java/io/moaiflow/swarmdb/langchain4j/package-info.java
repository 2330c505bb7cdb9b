/**
 * SwarmDB behind LangChain4j's interfaces: {@link
 * io.moaiflow.swarmdb.langchain4j.SwarmDbChatMemoryStore} (a {@code ChatMemoryStore} whose
 * conversations are session memory), {@link io.moaiflow.swarmdb.langchain4j.SwarmDbEmbeddingStore}
 * (an {@code EmbeddingStore<TextSegment>} over recall by query vector) and {@link
 * io.moaiflow.swarmdb.langchain4j.LangChain4jEmbedder} (any LangChain4j {@code EmbeddingModel} as
 * SwarmDB's {@link io.moaiflow.swarmdb.Embedder}). Its dependency, {@code
 * dev.langchain4j:langchain4j-core} 1.19.0, is optional: an application that uses this package has
 * LangChain4j already; only this package and {@code io.moaiflow.swarmdb.embed} refer to it, so an
 * application without it never loads these classes. Built on the public API only.
 */
@NullMarked
package io.moaiflow.swarmdb.langchain4j;

import org.jspecify.annotations.NullMarked;
