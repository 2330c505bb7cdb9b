package io.moaiflow.swarmdb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.HoldOpenProcess;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.cli.Main;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 12 item 5: {@code verify}, {@code health}, {@code info} and {@code size} never change the
 * files they check. Each command runs on a healthy closed file, a hot WAL left by a writer that
 * never closed (with and without its {@code -shm}), a garbage {@code -wal}, a {@code -wal} with a
 * damaged frame and a damaged main file; the SHA-256 (or absence) of the main file, {@code -wal}
 * and {@code -shm} must be the same after as before. The same checks then run on a read-only mount.
 */
@Tag("reliability")
class ChecksChangeNothingTest {
  /** Events committed in the hot WAL, in {@link #WAL_COMMITS} transactions. */
  static final int WAL_EVENTS = 40;

  static final int WAL_COMMITS = 8;
  static final int PAGE = 4096;

  static final List<List<String>> COMMANDS =
      List.of(
          List.of("verify"),
          List.of("verify", "--full"),
          List.of("health"),
          List.of("health", "--json"),
          List.of("info"),
          List.of("info", "--json"),
          List.of("size"),
          List.of("size", "--json"));

  @TempDir Path dir;

  record Run(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  @Test
  void checkCommandsLeaveEveryInputByteForByte() throws Exception {
    Map<String, Path> inputs = inputs(dir);
    List<String> changed = new ArrayList<>();
    for (Map.Entry<String, Path> input : inputs.entrySet()) {
      for (List<String> cmd : COMMANDS) {
        Map<String, String> before = snapshot(input.getValue());
        Run r = cli(input.getValue(), cmd);
        Map<String, String> after = snapshot(input.getValue());
        if (!before.equals(after)) {
          changed.add(input.getKey() + " / " + cmd + ": " + before + " -> " + after + "\n" + r);
        }
      }
    }
    assertThat(changed).as("check commands that changed a file").isEmpty();
  }

  @Test
  @SuppressWarnings("try") // the other process only has to hold the database open
  void checkCommandsLeaveALiveIdleWritersFilesAlone() throws Exception {
    Path db = hotWal(dir, "live", true);
    try (HoldOpenProcess holder = HoldOpenProcess.start(db)) {
      List<String> changed = new ArrayList<>();
      for (List<String> cmd : COMMANDS) {
        Map<String, String> before = snapshot(db);
        Run r = cli(db, cmd);
        Map<String, String> after = snapshot(db);
        if (!before.equals(after)) {
          changed.add(cmd + ": " + before + " -> " + after + "\n" + r);
        }
      }
      assertThat(changed).as("check commands that changed a live database's files").isEmpty();
      Run verify = cli(db, List.of("verify"));
      assertThat(verify.code()).as(verify.toString()).isZero();
      Run info = cli(db, List.of("info"));
      assertThat(info.out()).containsPattern("agent_events +" + (WAL_EVENTS + 1) + "\n");
    }
  }

  @Test
  void verifyReportsWhatItFoundOnEachInput() throws Exception {
    Map<String, Path> in = inputs(dir);
    Run healthy = cli(in.get("healthy"), List.of("verify"));
    assertThat(healthy.code()).as(healthy.toString()).isZero();

    Run hot = cli(in.get("hot-wal"), List.of("verify"));
    assertThat(hot.code()).as(hot.toString()).isZero();
    assertThat(hot.out()).contains("quick_check ok", WAL_COMMITS + " commit(s)");
    Run hotInfo = cli(in.get("hot-wal"), List.of("info"));
    assertThat(hotInfo.code()).as(hotInfo.toString()).isZero();
    assertThat(hotInfo.out()).containsPattern("agent_events +" + (WAL_EVENTS + 1) + "\n");

    Run noShm = cli(in.get("hot-wal-no-shm"), List.of("verify"));
    assertThat(noShm.code()).as(noShm.toString()).isEqualTo(1);
    assertThat(noShm.out())
        .contains("FAIL", "-wal", "no -shm", "not checked", WAL_COMMITS + " committed transaction");

    Run garbage = cli(in.get("garbage-wal"), List.of("verify"));
    assertThat(garbage.code()).as(garbage.toString()).isEqualTo(1);
    assertThat(garbage.out())
        .contains("FAIL", "-wal", "5000 bytes", "no valid WAL header", "recovers nothing")
        .doesNotContain("restore");

    for (String name : List.of("garbage-wal", "garbage-wal-with-shm")) {
      Run info = cli(in.get(name), List.of("info"));
      assertThat(info.code()).as(info.toString()).isZero();
      assertThat(info.out()).as(name).containsPattern("agent_events +1\n");
    }
    Run garbageShm = cli(in.get("garbage-wal-with-shm"), List.of("verify"));
    assertThat(garbageShm.code()).as(garbageShm.toString()).isEqualTo(1);
    assertThat(garbageShm.out()).contains("FAIL", "no valid WAL header", "quick_check ok");

    Run frame = cli(in.get("damaged-wal"), List.of("verify"));
    assertThat(frame.code()).as(frame.toString()).isEqualTo(1);
    assertThat(frame.out()).contains("FAIL", "-wal", "frame 2", "checksum", "not recovered");

    Run main = cli(in.get("damaged-main"), List.of("verify"));
    assertThat(main.code()).as(main.toString()).isNotZero();
  }

  @Test
  void verifyInfoAndSizeWorkOnAReadOnlyMount() throws Exception {
    try (Tmpfs fs = Tmpfs.mountAsRoot(dir, "16m", "the read-only mount test")) {
      Map<String, Path> in = inputs(fs.dir());
      Map<String, Map<String, String>> before = new LinkedHashMap<>();
      for (Map.Entry<String, Path> e : in.entrySet()) {
        before.put(e.getKey(), snapshot(e.getValue()));
      }
      fs.remountReadOnly();
      try {
        for (String name : List.of("healthy", "hot-wal")) {
          for (List<String> cmd : List.of(List.of("verify"), List.of("info"), List.of("size"))) {
            Run r = cli(in.get(name), cmd);
            assertThat(r.code()).as(name + " " + cmd + ": " + r).isZero();
          }
        }
        Run hotInfo = cli(in.get("hot-wal"), List.of("info"));
        assertThat(hotInfo.out()).containsPattern("agent_events +" + (WAL_EVENTS + 1) + "\n");
        Run noShm = cli(in.get("hot-wal-no-shm"), List.of("verify"));
        assertThat(noShm.code()).as(noShm.toString()).isEqualTo(1);
        assertThat(noShm.out()).contains("no -shm", "not checked");
        Run garbage = cli(in.get("garbage-wal"), List.of("verify"));
        assertThat(garbage.code()).as(garbage.toString()).isEqualTo(1);
        assertThat(garbage.out()).contains("no valid WAL header");
        Run health = cli(in.get("healthy"), List.of("health"));
        assertThat(health.code()).as(health.toString()).isEqualTo(1);
        assertThat(health.out()).contains("not writable");
      } finally {
        fs.remountReadWrite();
      }
      for (Map.Entry<String, Path> e : in.entrySet()) {
        assertThat(snapshot(e.getValue())).as(e.getKey()).isEqualTo(before.get(e.getKey()));
      }
    }
  }

  /** The six inputs, each alone in a private directory. */
  static Map<String, Path> inputs(Path root) throws Exception {
    Map<String, Path> in = new LinkedHashMap<>();
    Path healthy = privateDir(root, "healthy").resolve("swarm.db");
    try (SwarmDB swarm = SwarmDB.open(healthy)) {
      swarm.events().append(AgentEvent.of("spawn", "agent-0", null, Map.of()));
    }
    in.put("healthy", healthy);
    Path hot = hotWal(root, "hot-wal", true);
    in.put("hot-wal", hot);
    in.put("hot-wal-no-shm", hotWal(root, "hot-wal-no-shm", false));
    Path garbage = copyOf(healthy, privateDir(root, "garbage-wal"));
    byte[] junk = new byte[5000];
    Arrays.fill(junk, (byte) 0x5a);
    writePrivate(Path.of(garbage + "-wal"), junk);
    in.put("garbage-wal", garbage);
    // A garbage -wal beside the -shm of the writer that left it: SQLite's read-only open would
    // fail with SQLITE_PROTOCOL.
    Path garbageShm = hotWal(root, "garbage-wal-with-shm", true);
    Files.write(Path.of(garbageShm + "-wal"), junk);
    in.put("garbage-wal-with-shm", garbageShm);
    Path damagedWal = hotWal(root, "damaged-wal", true);
    try (RandomAccessFile f = new RandomAccessFile(damagedWal + "-wal", "rw")) {
      // Frame 2's page: its checksum no longer matches, so recovery stops after frame 1.
      long at = 32 + (24 + PAGE) + 24 + PAGE / 2;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(~b);
    }
    in.put("damaged-wal", damagedWal);
    Path damagedMain = privateDir(root, "damaged-main").resolve("swarm.db");
    try (SwarmDB swarm = SwarmDB.open(damagedMain)) {
      List<AgentEvent> batch = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        batch.add(AgentEvent.of("run", "agent-" + i, null, Map.of("pad", "z".repeat(200))));
      }
      swarm.events().appendAll(batch);
    }
    try (RandomAccessFile f = new RandomAccessFile(damagedMain.toFile(), "rw")) {
      long pages = f.length() / PAGE;
      for (long p = pages / 2; p < pages; p += 3) {
        f.seek(p * PAGE + PAGE / 2);
        f.write(new byte[64]);
      }
    }
    in.put("damaged-main", damagedMain);
    return in;
  }

  /**
   * The three files of a database whose writer committed {@link #WAL_COMMITS} transactions and
   * never closed: copied while the writer holds them, so the WAL is not checkpointed.
   */
  static Path hotWal(Path root, String name, boolean withShm) throws Exception {
    Path src = privateDir(root, name + "-src").resolve("swarm.db");
    Path dst = privateDir(root, name).resolve("swarm.db");
    try (SwarmDB swarm = SwarmDB.open(src)) {
      swarm.events().append(AgentEvent.of("spawn", "agent-0", null, Map.of()));
      swarm.maintenance().checkpoint();
      for (int c = 0; c < WAL_COMMITS; c++) {
        List<AgentEvent> batch = new ArrayList<>();
        for (int i = 0; i < WAL_EVENTS / WAL_COMMITS; i++) {
          batch.add(AgentEvent.of("tool_call", "agent-" + c, null, Map.of("i", i)));
        }
        swarm.events().appendAll(batch);
      }
      assertThat(Files.size(Path.of(src + "-wal"))).isGreaterThan(32);
      for (String suffix : withShm ? List.of("", "-wal", "-shm") : List.of("", "-wal")) {
        writePrivate(Path.of(dst + suffix), Files.readAllBytes(Path.of(src + suffix)));
      }
    }
    return dst;
  }

  static Path privateDir(Path root, String name) throws Exception {
    return Files.createDirectory(
        root.resolve(name),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
  }

  static Path copyOf(Path db, Path toDir) throws Exception {
    Path dst = toDir.resolve(db.getFileName());
    writePrivate(dst, Files.readAllBytes(db));
    return dst;
  }

  static void writePrivate(Path p, byte[] bytes) throws Exception {
    Files.createFile(
        p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(p, bytes);
  }

  /** Existence and SHA-256 of the main file, {@code -wal}, {@code -shm} and {@code -journal}. */
  static Map<String, String> snapshot(Path db) throws Exception {
    Map<String, String> m = new LinkedHashMap<>();
    for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
      Path p = Path.of(db + suffix);
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        m.put("main" + suffix, "absent");
        continue;
      }
      byte[] bytes = Files.readAllBytes(p);
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
      m.put("main" + suffix, bytes.length + " bytes sha256 " + sha.substring(0, 16));
    }
    return m;
  }

  static Run cli(Path db, List<String> cmd) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("MOAI_ENV", "production");
    env.put("MOAI_LOG_LEVEL", "ERROR");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.newCommandLine(new Main(env));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    List<String> args = new ArrayList<>(List.of("--db", db.toString()));
    args.addAll(cmd);
    int code = cl.execute(args.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }
}
