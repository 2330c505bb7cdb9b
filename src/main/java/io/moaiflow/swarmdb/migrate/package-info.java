/** The schema migrator: versioned SQL resources, checksums, validation, and status. */
@NullMarked
package io.moaiflow.swarmdb.migrate;

import org.jspecify.annotations.NullMarked;
