package io.moaiflow.swarmdb.backend;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test once per backend, as {@code [sqlite]} and {@code [postgresql]}, each time
 * on a fresh database handed to the test class's {@code @BeforeEach} methods and the test as a
 * {@link TestBackend} parameter (see {@link SwarmDbExtension}). The PostgreSQL invocation is
 * skipped, with a message naming {@code SWARMDB_TEST_PG_URL}, when no server is configured. Add
 * {@link SqliteOnly} to run only the SQLite invocation.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(SwarmDbExtension.class)
public @interface BackendTest {}
