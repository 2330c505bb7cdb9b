package io.moaiflow.swarmdb.health;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.internal.Schema;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * What a database's {@code -wal} file holds, read with plain file I/O as SQLite's recovery reads it
 * (<a href="https://www.sqlite.org/fileformat2.html#walformat">WAL format</a>): the 32-byte header
 * (magic, format 3007000, page size, salts, checksum) and the frames whose salts match the header
 * and whose cumulative checksums hold. SQLite uses the valid frames up to the last commit frame
 * among them and ignores everything after the first invalid frame. Reading never changes the file.
 *
 * <p>Ignored bytes are normal in two cases: frames after the last commit (a transaction that was
 * still being written when its process stopped; SQLite rolls it back), and frames with other salts
 * (left from before the WAL was last restarted). They are a {@linkplain #problem() problem} when
 * the file is not empty but has no valid header (SQLite recovers nothing from it), or when a commit
 * frame with the current salts comes at or after the first invalid frame (committed transactions
 * that SQLite will not recover).
 *
 * <p>This record is immutable and thread safe.
 *
 * @param path the {@code -wal} file
 * @param bytes its size, 0 when it does not exist
 * @param headerValid whether the 32-byte header is a valid WAL header
 * @param pageSize the page size in the header, 0 when the header is not valid
 * @param frames whole frames (24-byte header plus a page) after the header
 * @param validFrames frames from the first on with the header's salts and a matching checksum
 * @param recoveredFrames the valid frames up to and including the last valid commit frame: what
 *     SQLite uses
 * @param recoveredCommits commit frames among the recovered frames (one per transaction)
 * @param firstInvalidFrame the 1-based number of the first whole frame that is not valid, 0 when
 *     every whole frame is valid
 * @param invalidReason why that frame is not valid ("checksum", "salt" or "page number 0"), empty
 *     when there is none
 * @param lostCommits commit frames with the header's salts at or after the first invalid frame,
 *     including an incomplete trailing one: committed transactions SQLite will not recover
 */
public record WalFile(
    Path path,
    long bytes,
    boolean headerValid,
    int pageSize,
    long frames,
    long validFrames,
    long recoveredFrames,
    long recoveredCommits,
    long firstInvalidFrame,
    String invalidReason,
    long lostCommits) {

  /** Bytes in the WAL header. */
  public static final int HEADER_BYTES = 32;

  /** Bytes in a frame header. */
  public static final int FRAME_HEADER_BYTES = 24;

  private static final int MAGIC_LE = 0x377f0682;
  private static final int MAGIC_BE = 0x377f0683;
  private static final int FORMAT = 3007000;

  /**
   * Reads the {@code -wal} beside a database file.
   *
   * @param db the main database file
   * @return what its {@code -wal} holds (all zero when there is none)
   * @throws SwarmDbException {@link ErrorCode#IO_ERROR} when the file exists but cannot be read
   */
  public static WalFile of(Path db) {
    return read(Schema.wal(db));
  }

  /**
   * Reads a WAL file.
   *
   * @param wal the {@code -wal} file
   * @return what it holds (all zero when it does not exist)
   * @throws SwarmDbException {@link ErrorCode#IO_ERROR} when the file exists but cannot be read
   */
  public static WalFile read(Path wal) {
    try (InputStream in = Files.newInputStream(wal, LinkOption.NOFOLLOW_LINKS)) {
      return parse(wal, Files.size(wal), in);
    } catch (NoSuchFileException e) {
      return noHeader(wal, 0);
    } catch (IOException e) {
      throw new SwarmDbException(
          ErrorCode.IO_ERROR,
          "cannot read " + wal + " (" + e.getMessage() + "); check its permissions",
          e);
    }
  }

  private static WalFile parse(Path wal, long size, InputStream in) throws IOException {
    byte[] header = in.readNBytes(HEADER_BYTES);
    if (header.length < HEADER_BYTES) {
      return noHeader(wal, size);
    }
    int magic = int32(header, 0, true);
    int pageSize = int32(header, 8, true);
    boolean bigEndian = magic == MAGIC_BE;
    boolean valid =
        (magic == MAGIC_LE || magic == MAGIC_BE)
            && int32(header, 4, true) == FORMAT
            && pageSize >= 512
            && pageSize <= 65536
            && Integer.bitCount(pageSize) == 1;
    int[] sum = new int[2];
    if (valid) {
      checksum(header, 0, 24, bigEndian, sum);
      valid = sum[0] == int32(header, 24, true) && sum[1] == int32(header, 28, true);
    }
    if (!valid) {
      return noHeader(wal, size);
    }
    int salt1 = int32(header, 16, true);
    int salt2 = int32(header, 20, true);
    long frameBytes = FRAME_HEADER_BYTES + (long) pageSize;
    long frames = (size - HEADER_BYTES) / frameBytes;
    byte[] frame = new byte[(int) frameBytes];
    long validFrames = 0;
    long recovered = 0;
    long commits = 0;
    long recoveredCommits = 0;
    long firstInvalid = 0;
    String reason = "";
    long lost = 0;
    for (long i = 1; ; i++) {
      int n = in.readNBytes(frame, 0, frame.length);
      if (n < frame.length) {
        // An incomplete trailing frame: a write cut short. Only a commit with our salts matters.
        if (n >= FRAME_HEADER_BYTES && isCommitOfThisWal(frame, salt1, salt2)) {
          lost++;
        }
        break;
      }
      if (firstInvalid == 0) {
        String bad = invalid(frame, salt1, salt2, bigEndian, sum);
        if (bad.isEmpty()) {
          validFrames++;
          if (int32(frame, 4, true) != 0) {
            commits++;
            recovered = validFrames;
            recoveredCommits = commits;
          }
          continue;
        }
        firstInvalid = i;
        reason = bad;
      }
      if (isCommitOfThisWal(frame, salt1, salt2)) {
        lost++;
      }
    }
    return new WalFile(
        wal,
        size,
        true,
        pageSize,
        frames,
        validFrames,
        recovered,
        recoveredCommits,
        firstInvalid,
        reason,
        lost);
  }

  private static WalFile noHeader(Path wal, long size) {
    return new WalFile(wal, size, false, 0, 0, 0, 0, 0, 0, "", 0);
  }

  private static boolean isCommitOfThisWal(byte[] frame, int salt1, int salt2) {
    return int32(frame, 8, true) == salt1
        && int32(frame, 12, true) == salt2
        && int32(frame, 4, true) != 0;
  }

  /** Why the frame is not valid, or "" (the checksum state then covers it). */
  private static String invalid(byte[] frame, int salt1, int salt2, boolean bigEndian, int[] sum) {
    if (int32(frame, 8, true) != salt1 || int32(frame, 12, true) != salt2) {
      return "salt";
    }
    if (int32(frame, 0, true) == 0) {
      return "page number 0";
    }
    int[] next = {sum[0], sum[1]};
    checksum(frame, 0, 8, bigEndian, next);
    checksum(frame, FRAME_HEADER_BYTES, frame.length - FRAME_HEADER_BYTES, bigEndian, next);
    if (next[0] != int32(frame, 16, true) || next[1] != int32(frame, 20, true)) {
      return "checksum";
    }
    sum[0] = next[0];
    sum[1] = next[1];
    return "";
  }

  /** SQLite's WAL checksum over {@code len} bytes (a multiple of 8), continuing from {@code s}. */
  private static void checksum(byte[] b, int off, int len, boolean bigEndian, int[] s) {
    int s1 = s[0];
    int s2 = s[1];
    for (int i = off; i < off + len; i += 8) {
      s1 += int32(b, i, bigEndian) + s2;
      s2 += int32(b, i + 4, bigEndian) + s1;
    }
    s[0] = s1;
    s[1] = s2;
  }

  private static int int32(byte[] b, int off, boolean bigEndian) {
    int v =
        ((b[off] & 0xff) << 24)
            | ((b[off + 1] & 0xff) << 16)
            | ((b[off + 2] & 0xff) << 8)
            | (b[off + 3] & 0xff);
    return bigEndian ? v : Integer.reverseBytes(v);
  }

  /**
   * {@return the bytes SQLite's recovery reads and uses (the header and the recovered frames), 0
   * when the header is not valid}
   */
  public long recoveredBytes() {
    return headerValid
        ? HEADER_BYTES + recoveredFrames * (FRAME_HEADER_BYTES + (long) pageSize)
        : 0;
  }

  /**
   * {@return what is wrong with the file for an operator, or empty when SQLite recovers every
   * committed transaction it holds (an absent or empty file, or only normal leftovers)} The text
   * gives the size, the frames, what it means and what to do.
   */
  public Optional<String> problem() {
    if (bytes == 0) {
      return Optional.empty();
    }
    if (!headerValid) {
      return Optional.of(
          String.format(
              Locale.ROOT,
              "%s holds %d bytes but no valid WAL header (%s): SQLite recovers nothing from it and"
                  + " will discard it on the next read-write open, so any transactions it held are"
                  + " lost and the database is the main file alone. The check below describes the"
                  + " main file. Copy the -wal aside now if you need to find out what wrote it; it"
                  + " is not a SQLite WAL",
              path,
              bytes,
              bytes < HEADER_BYTES
                  ? "shorter than the 32-byte header"
                  : "bad magic, format, page size or header checksum"));
    }
    if (lostCommits > 0) {
      boolean none = recoveredFrames == 0;
      String recovered =
          none
              ? "no frame"
              : "only frames 1-" + recoveredFrames + " (" + recoveredCommits + " transaction(s))";
      return Optional.of(
          String.format(
              Locale.ROOT,
              "%s holds %d bytes, %d whole frame(s) of %d-byte pages; frame %d fails its %s check,"
                  + " so SQLite recovers %s and %d committed transaction(s) at or after it are not"
                  + " recovered. After a power loss with synchronous=NORMAL the last transactions"
                  + " can be torn like this; otherwise the -wal is damaged. The checks below"
                  + " describe the database as SQLite reads it (the main file%s); the next"
                  + " read-write open keeps that and discards the rest: copy the -wal aside first"
                  + " if you need those transactions",
              path,
              bytes,
              frames,
              pageSize,
              firstInvalidFrame,
              invalidReason,
              recovered,
              lostCommits,
              none ? "" : " plus frames 1-" + recoveredFrames));
    }
    return Optional.empty();
  }

  /** {@return one line for a passing check: the size and the frames SQLite uses and ignores} */
  public String summary() {
    if (bytes == 0) {
      return "wal: none";
    }
    if (!headerValid) {
      return "wal: " + bytes + " bytes, no valid header";
    }
    long ignored = frames - recoveredFrames;
    return String.format(
        Locale.ROOT,
        "wal: %d bytes, %d frame(s), %d recovered in %d commit(s)%s",
        bytes,
        frames,
        recoveredFrames,
        recoveredCommits,
        ignored == 0
            ? ""
            : ", "
                + ignored
                + " ignored (uncommitted or left from before the WAL restarted; normal)");
  }
}
