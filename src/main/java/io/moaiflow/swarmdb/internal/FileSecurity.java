package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Creates database files and directories with owner-only permissions and refuses symlinks. SQLite
 * gives {@code -wal} and {@code -shm} the main file's mode, so pre-creating the main file 0600
 * protects all three. This class is stateless and thread safe.
 */
public final class FileSecurity {
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final Set<PosixFilePermission> FILE_MODE =
      PosixFilePermissions.fromString("rw-------");
  private static final FileAttribute<?>[] FILE_ATTRS = ownerOnly(FILE_MODE);
  private static final FileAttribute<?>[] DIR_ATTRS =
      ownerOnly(PosixFilePermissions.fromString("rwx------"));

  private FileSecurity() {}

  private static FileAttribute<?>[] ownerOnly(Set<PosixFilePermission> mode) {
    return POSIX
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)}
        : new FileAttribute<?>[0];
  }

  /**
   * Prepares a database path: creates missing parent directories 0700 and, when {@code create}, the
   * file itself 0600. Never follows a symlink at the database path.
   *
   * @return true when the file was created by this call
   */
  public static boolean prepareDatabaseFile(Path path, boolean create) {
    refuseSymlink(path);
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
        throw new SwarmDbException(
            ErrorCode.IO_ERROR,
            "database path " + path + " exists but is not a regular file; pass a file path");
      }
      return false;
    }
    if (!create) {
      throw new SwarmDbException(
          ErrorCode.NOT_FOUND,
          "database file "
              + path.toAbsolutePath()
              + " does not exist; create it with 'swarmdb init' or pass --db");
    }
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      createDirectories(parent, "directory");
    }
    return createPrivateFile(path, "database file");
  }

  /**
   * Creates missing directories with mode 0700 (existing ones are left alone).
   *
   * @param what a description for messages, such as "backup directory"
   */
  public static void createDirectories(Path dir, String what) {
    if (Files.exists(dir)) {
      return;
    }
    try {
      Files.createDirectories(dir, DIR_ATTRS); // each one it creates; tolerates a racing creator
    } catch (IOException e) {
      throw creationFailure(what + " " + dir, e, "check the parent's permissions");
    }
  }

  /**
   * Creates a new empty file with mode 0600, failing if anything (even a dangling symlink) already
   * exists at the path.
   */
  public static boolean createPrivateFile(Path path, String what) {
    refuseSymlink(path);
    try {
      Files.createFile(path, FILE_ATTRS);
      return true;
    } catch (FileAlreadyExistsException e) {
      refuseSymlink(path);
      return false;
    } catch (IOException e) {
      throw creationFailure(what + " " + path, e, "check the directory's permissions");
    }
  }

  /**
   * A failed create: {@link ErrorCode#READ_ONLY} when the directory or filesystem refuses writing
   * (EACCES, EPERM, EROFS), else {@link ErrorCode#IO_ERROR}.
   */
  private static SwarmDbException creationFailure(String what, IOException e, String fix) {
    String reason = e instanceof FileSystemException f ? f.getReason() : null;
    boolean readOnly =
        e instanceof AccessDeniedException
            || (reason != null
                && (reason.contains("Read-only file system")
                    || reason.contains("Permission denied")
                    || reason.contains("Operation not permitted")));
    if (readOnly) {
      return new SwarmDbException(
          ErrorCode.READ_ONLY,
          "could not create "
              + what
              + ": "
              + (reason == null ? e.toString() : reason)
              + "; the directory or filesystem is read-only or not writable for this user. Fix"
              + " the permissions, remount the filesystem read-write, or choose a writable path",
          e);
    }
    return new SwarmDbException(
        ErrorCode.IO_ERROR, "could not create " + what + ": " + e + "; " + fix, e);
  }

  /** Sets an existing file's mode to 0600 (POSIX only). */
  public static void makePrivate(Path path) {
    if (!POSIX) {
      return;
    }
    try {
      Files.setPosixFilePermissions(path, FILE_MODE);
    } catch (IOException e) {
      throw new SwarmDbException(
          ErrorCode.IO_ERROR,
          "could not make " + path + " private (mode 0600): " + e + "; check its owner",
          e);
    }
  }

  public static void refuseSymlink(Path path) {
    if (Files.isSymbolicLink(path)) {
      throw new SwarmDbException(
          ErrorCode.INVALID_ARGUMENT,
          "refusing "
              + path
              + ": it is a symbolic link. SwarmDB never opens a database through a symlink;"
              + " pass the real path");
    }
  }

  /**
   * Refuses a path that does not lie strictly inside {@code root}. Both are made absolute, {@code
   * ..} is resolved, and the deepest existing directory of each is resolved through its symlinks,
   * so neither {@code root/../x} nor a symlinked directory inside the root can lead out of it.
   *
   * @param what what the path is, for the message (for example "backup target")
   * @param setting how the user sets the root, for the message
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} naming the path, the root and the
   *     fix
   */
  public static Path requireInside(Path root, Path path, String what, String setting) {
    Path realRoot = resolveExisting(root);
    Path real = resolveExisting(path);
    if (!real.startsWith(realRoot) || real.equals(realRoot)) {
      String shown =
          real.equals(path.toAbsolutePath().normalize()) ? "" : " (resolves to " + real + ")";
      throw new SwarmDbException(
          ErrorCode.INVALID_ARGUMENT,
          what
              + " "
              + path
              + shown
              + " is outside the allowed backup root "
              + realRoot
              + "; pass a file inside that directory, or change "
              + setting);
    }
    return real;
  }

  /**
   * A path made absolute and normal, with its deepest existing ancestor replaced by that ancestor's
   * real path (symlinks resolved); the missing rest is appended as written.
   */
  private static Path resolveExisting(Path path) {
    Path abs = path.toAbsolutePath().normalize();
    Path existing = abs;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return abs;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(abs)).normalize();
    } catch (IOException e) {
      throw new SwarmDbException(
          ErrorCode.IO_ERROR,
          "could not resolve " + existing + " while checking " + abs + ": " + e + "; check it",
          e);
    }
  }

  /** Bytes of a file, 0 when missing. */
  public static long size(Path path) {
    try {
      return Files.size(path);
    } catch (IOException e) {
      return 0;
    }
  }
}
