package io.moaiflow.swarmdb.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
  private final int maxBytes;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(8192);
  private long number;

  ImportLines(Path file, int maxBytes) throws IOException {
    this.file = file;
    this.maxBytes = maxBytes;
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

  /**
   * The next line, or null at the end of the file.
   *
   * @throws CliException exit 2 when the line is longer than the limit or not UTF-8
   */
  @Nullable String next() throws IOException {
    line.reset();
    int b = in.read();
    if (b < 0) {
      return null;
    }
    number++;
    while (b >= 0 && b != '\n') {
      if (line.size() == maxBytes) {
        throw CliException.usage(
            "line "
                + number
                + " of "
                + file
                + " is longer than "
                + maxBytes
                + " bytes, the longest line import reads (16 MiB of metadata plus 64 KiB for the"
                + " other fields); nothing was imported, fix the line or re-export the file");
      }
      line.write(b);
      b = in.read();
    }
    byte[] bytes = line.toByteArray();
    int length = bytes.length;
    if (b == '\n' && length > 0 && bytes[length - 1] == '\r') {
      length--;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, length))
          .toString();
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
