package io.moaiflow.swarmdb.cli;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The lines of an import file, each read with a bounded buffer: a line longer than {@link
 * #MAX_LINE_BYTES} is refused after that many bytes, so a file without line breaks can never fill
 * the heap. Lines end at {@code \n} (a {@code \r} before it is dropped) and must be UTF-8. Not
 * thread safe.
 */
final class ImportLines implements Closeable {
  /**
   * Longest line accepted, in bytes of UTF-8 without the line break: the library's 16 MiB limit on
   * an event's metadata JSON plus 64 KiB for the other fields (ids, types, the timestamp and the
   * keys), which together take at most a few KiB.
   */
  static final int MAX_LINE_BYTES = 16 * 1024 * 1024 + 64 * 1024;

  private final Path file;
  private final InputStream in;
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder(); // reports bad bytes
  private byte[] line = new byte[8192];
  private long number;

  ImportLines(Path file) throws IOException {
    this.file = file;
    try {
      this.in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024);
    } catch (NoSuchFileException e) {
      throw CliException.usage("import file " + file + " does not exist; pass --in FILE");
    }
  }

  /** The number of the line {@link #next()} returned last (1 for the first). */
  long number() {
    return number;
  }

  /** The next line, or null at the end; CliException (exit 2) if it is too long or not UTF-8. */
  @Nullable String next() throws IOException {
    int b = in.read();
    if (b < 0) {
      return null;
    }
    number++;
    int length = 0;
    while (b >= 0 && b != '\n') {
      if (length == MAX_LINE_BYTES) {
        throw CliException.usage(
            "line "
                + number
                + " of "
                + file
                + " is longer than "
                + MAX_LINE_BYTES
                + " bytes, the longest line import reads (16 MiB of metadata plus 64 KiB for the"
                + " other fields); nothing was imported, fix the line or re-export the file");
      }
      if (length == line.length) {
        line = Arrays.copyOf(line, (int) Math.min(MAX_LINE_BYTES, 2L * length));
      }
      line[length++] = (byte) b;
      b = in.read();
    }
    if (b == '\n' && length > 0 && line[length - 1] == '\r') {
      length--;
    }
    try {
      return utf8.decode(ByteBuffer.wrap(line, 0, length)).toString();
    } catch (CharacterCodingException e) {
      throw CliException.usage(
          "import file "
              + file
              + " is not UTF-8 text (line "
              + number
              + "); pass a file written by 'swarmdb export'");
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
