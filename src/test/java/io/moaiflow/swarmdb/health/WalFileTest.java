package io.moaiflow.swarmdb.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WalFile} on a real WAL written by SQLite and on damaged copies of it. Each variant is also
 * opened by SQLite itself (a plain read-write connection on a scratch copy, which runs recovery):
 * the rows SQLite then sees must be exactly the transactions WalFile says it recovers.
 */
class WalFileTest {
  static final int COMMITS = 5;
  static final int PAGE = 4096;
  static final int FRAME = WalFile.FRAME_HEADER_BYTES + PAGE;

  @TempDir Path dir;
  Path main;
  byte[] wal;

  @BeforeEach
  void writeAWalWithFiveCommits() throws Exception {
    Path src = dir.resolve("src.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + src);
        Statement st = c.createStatement()) {
      st.execute("PRAGMA page_size = " + PAGE);
      st.execute("PRAGMA journal_mode = WAL");
      st.execute("PRAGMA wal_autocheckpoint = 0");
      st.execute("CREATE TABLE t(x)");
      st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      main = dir.resolve("main.db");
      Files.copy(src, main);
      for (int i = 0; i < COMMITS; i++) {
        st.execute("INSERT INTO t VALUES (" + i + ")");
      }
      wal = Files.readAllBytes(Path.of(src + "-wal"));
    }
    assertThat(wal.length).isEqualTo(WalFile.HEADER_BYTES + COMMITS * FRAME);
  }

  @Test
  void absentAndEmptyFilesAreNotAProblem() throws Exception {
    WalFile none = WalFile.read(dir.resolve("none-wal"));
    assertThat(none.bytes()).isZero();
    assertThat(none.problem()).isEmpty();
    assertThat(none.summary()).isEqualTo("wal: none");
    WalFile empty = check(new byte[0], 0);
    assertThat(empty.problem()).isEmpty();
  }

  @Test
  void aValidWalIsRecoveredWhole() throws Exception {
    WalFile w = check(wal, COMMITS);
    assertThat(w.headerValid()).isTrue();
    assertThat(w.pageSize()).isEqualTo(PAGE);
    assertThat(w.frames()).isEqualTo(COMMITS);
    assertThat(w.recoveredFrames()).isEqualTo(COMMITS);
    assertThat(w.recoveredCommits()).isEqualTo(COMMITS);
    assertThat(w.recoveredBytes()).isEqualTo(wal.length);
    assertThat(w.firstInvalidFrame()).isZero();
    assertThat(w.problem()).isEmpty();
    assertThat(w.summary()).contains(COMMITS + " recovered in " + COMMITS + " commit(s)");
  }

  @Test
  void headerLengthLimits() throws Exception {
    WalFile short31 = check(Arrays.copyOf(wal, 31), 0);
    assertThat(short31.headerValid()).isFalse();
    assertThat(short31.problem()).get().asString().contains("31 bytes", "32-byte header");
    WalFile exact = check(Arrays.copyOf(wal, 32), 0);
    assertThat(exact.headerValid()).isTrue();
    assertThat(exact.frames()).isZero();
    assertThat(exact.problem()).isEmpty();
    WalFile plus1 = check(Arrays.copyOf(wal, 33), 0);
    assertThat(plus1.headerValid()).isTrue();
    assertThat(plus1.problem()).isEmpty();
  }

  @Test
  void frameLengthLimits() throws Exception {
    // One byte short of the first frame: an incomplete commit that SQLite does not recover.
    WalFile torn = check(Arrays.copyOf(wal, 32 + FRAME - 1), 0);
    assertThat(torn.frames()).isZero();
    assertThat(torn.lostCommits()).isEqualTo(1);
    assertThat(torn.problem()).get().asString().contains("not recovered");
    WalFile one = check(Arrays.copyOf(wal, 32 + FRAME), 1);
    assertThat(one.recoveredCommits()).isEqualTo(1);
    assertThat(one.problem()).isEmpty();
    WalFile onePlus = check(Arrays.copyOf(wal, 32 + FRAME + 1), 1);
    assertThat(onePlus.recoveredCommits()).isEqualTo(1);
    assertThat(onePlus.problem()).isEmpty();
  }

  @Test
  void garbageHeaderRecoversNothing() throws Exception {
    byte[] junk = new byte[wal.length];
    Arrays.fill(junk, (byte) 0x5a);
    WalFile g = check(junk, 0);
    assertThat(g.headerValid()).isFalse();
    assertThat(g.problem())
        .get()
        .asString()
        .contains(junk.length + " bytes", "no valid WAL header", "recovers nothing");
    byte[] seq = wal.clone();
    seq[12] ^= 1; // checkpoint sequence: the header checksum no longer matches
    assertThat(check(seq, 0).problem()).get().asString().contains("no valid WAL header");
    byte[] magic = wal.clone();
    magic[0] = 0;
    assertThat(check(magic, 0).headerValid()).isFalse();
  }

  @Test
  void aBrokenChecksumLosesTheCommitsAfterIt() throws Exception {
    byte[] b = wal.clone();
    int at = 32 + FRAME + WalFile.FRAME_HEADER_BYTES + 100; // frame 2's page
    b[at] = (byte) ~b[at];
    WalFile w = check(b, 1);
    assertThat(w.firstInvalidFrame()).isEqualTo(2);
    assertThat(w.invalidReason()).isEqualTo("checksum");
    assertThat(w.recoveredFrames()).isEqualTo(1);
    assertThat(w.lostCommits()).isEqualTo(COMMITS - 1);
    assertThat(w.problem())
        .get()
        .asString()
        .contains("frame 2", "checksum", "only frames 1-1", (COMMITS - 1) + " committed");
  }

  @Test
  void anUncommittedOrStaleTailIsNormal() throws Exception {
    // The last frame loses its commit mark (its checksum breaks too): an unfinished transaction.
    byte[] uncommitted = wal.clone();
    int last = 32 + (COMMITS - 1) * FRAME;
    ByteBuffer.wrap(uncommitted, last + 4, 4).order(ByteOrder.BIG_ENDIAN).putInt(0);
    WalFile u = check(uncommitted, COMMITS - 1);
    assertThat(u.lostCommits()).isZero();
    assertThat(u.problem()).isEmpty();
    assertThat(u.summary()).contains("1 ignored", "normal");
    // The last frame has other salts: left from before the WAL restarted.
    byte[] stale = wal.clone();
    stale[last + 8] ^= 1;
    WalFile s = check(stale, COMMITS - 1);
    assertThat(s.invalidReason()).isEqualTo("salt");
    assertThat(s.problem()).isEmpty();
  }

  /**
   * Reads {@code bytes} as a -wal beside a copy of the main file, checks that reading changed
   * nothing, then lets SQLite recover the copy and compares its row count.
   */
  private WalFile check(byte[] bytes, int expectedRows) throws Exception {
    Path d = Files.createTempDirectory(dir, "case");
    Path db = d.resolve("x.db");
    Files.copy(main, db);
    Path w = Path.of(db + "-wal");
    Files.write(w, bytes);
    WalFile parsed = WalFile.of(db);
    assertThat(Files.readAllBytes(w)).isEqualTo(bytes);
    assertThat(parsed.bytes()).isEqualTo(bytes.length);
    assertThat(parsed.recoveredCommits()).isEqualTo(expectedRows);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
      rs.next();
      assertThat(rs.getLong(1)).as("rows SQLite recovers").isEqualTo(expectedRows);
    }
    return parsed;
  }
}
