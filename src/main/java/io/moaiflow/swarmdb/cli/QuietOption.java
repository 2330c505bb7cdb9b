package io.moaiflow.swarmdb.cli;

import picocli.CommandLine.Option;

/** The {@code --quiet} option of the long commands that show {@link Progress}. Not thread safe. */
final class QuietOption {
  @Option(
      names = {"-q", "--quiet"},
      description =
          "No progress on stderr (else: on a terminal a live line, otherwise a line every 5 s).")
  boolean quiet;
}
