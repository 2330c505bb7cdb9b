package io.moaiflow.swarmdb.ops;

import io.moaiflow.swarmdb.SwarmDB;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Security;
import java.util.Arrays;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Run by {@link OpsTlsTest} in a fresh JVM: the JDK disables TLSv1.1 JVM-wide and reads that
 * setting once, so this process re-enables it before any TLS class loads. It then prints {@code
 * control=<protocol>} (what a plain JDK server that allows TLSv1.1 negotiates with a TLSv1.1-only
 * client) and {@code ops=<protocol or refused>} (what the OpsServer does with the same client).
 * Arguments: keystore path, password.
 */
public final class TlsProtocolProbe {
  private TlsProtocolProbe() {}

  public static void main(String[] args) throws Exception {
    String disabled = Security.getProperty("jdk.tls.disabledAlgorithms");
    Security.setProperty(
        "jdk.tls.disabledAlgorithms",
        Arrays.stream(disabled.split(","))
            .map(String::trim)
            .filter(s -> !s.equals("TLSv1") && !s.equals("TLSv1.1"))
            .collect(Collectors.joining(", ")));
    Path keystore = Path.of(args[0]);
    String password = args[1];
    SSLContext client = trusting(keystore, password);

    OpsOptions options = OpsTestSupport.options().tls(keystore, password).build();
    SSLContext serverContext = OpsServer.sslContext(options);
    try (SSLServerSocket ss =
        (SSLServerSocket)
            serverContext
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ss.setEnabledProtocols(new String[] {"TLSv1.1", "TLSv1.2"});
      Thread acceptor =
          new Thread(
              () -> {
                try (SSLSocket a = (SSLSocket) ss.accept()) {
                  a.startHandshake();
                } catch (java.io.IOException e) {
                  // the client side reports the outcome
                }
              });
      acceptor.start();
      System.out.println("control=" + handshake(client, ss.getLocalPort()));
      acceptor.join();
    }
    try (SwarmDB db = SwarmDB.openInMemory();
        OpsServer server = OpsServer.start(db, options)) {
      System.out.println("ops=" + handshake(client, server.port()));
    }
  }

  /** A client context that trusts the certificate in {@code keystore} (PKCS12). */
  static SSLContext trusting(Path keystore, String password) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(keystore)) {
      trust.load(in, password.toCharArray());
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, tmf.getTrustManagers(), null);
    return client;
  }

  private static String handshake(SSLContext client, int port) throws java.io.IOException {
    try (SSLSocket c = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
      c.setSoTimeout(30_000);
      c.setEnabledProtocols(new String[] {"TLSv1.1"});
      c.startHandshake();
      return c.getSession().getProtocol();
    } catch (SSLException e) {
      return "refused";
    }
  }
}
