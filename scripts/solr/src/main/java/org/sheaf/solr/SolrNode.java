package org.sheaf.solr;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Starts one SolrCloud node in this JVM and blocks until the JVM is asked to stop.
 *
 * <p>Usage: {@code SolrNode PORT SOLR_HOME (--embedded-zk | --zk HOST:PORT)}
 *
 * <p>With {@code --embedded-zk} the node also runs a standalone ZooKeeper (Solr's own "zkRun"
 * mode) on PORT+1000, bound to 127.0.0.1, using SOLR_HOME/zoo.cfg. SOLR_HOME must hold a solr.xml
 * (scripts/solr.sh writes it). On success one line {@code SHEAF-SOLR-READY port=... zk=...} is
 * printed to stdout; scripts/solr.sh waits for it. SIGTERM stops Jetty and the cores cleanly
 * (and the embedded ZooKeeper with them).
 */
public final class SolrNode {
  private SolrNode() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: SolrNode PORT SOLR_HOME (--embedded-zk | --zk HOST:PORT)");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    Path home = Path.of(args[1]).toAbsolutePath().normalize();
    if (!Files.isRegularFile(home.resolve("solr.xml"))) {
      System.err.println("no solr.xml in " + home);
      System.exit(2);
    }
    Properties nodeProps = new Properties();
    nodeProps.setProperty("host", "127.0.0.1");
    String zkHost;
    if (args[2].equals("--embedded-zk")) {
      // Standalone embedded ZK (config SOLR_HOME/zoo.cfg). zkHost must stay unset here: with it
      // set, Solr would try to read solr.xml from ZK before starting the embedded server.
      System.setProperty("zkRun", "");
      zkHost = "127.0.0.1:" + (port + 1000);
    } else if (args[2].equals("--zk") && args.length > 3) {
      zkHost = args[3];
      System.setProperty("zkHost", zkHost);
      nodeProps.setProperty("zkHost", zkHost);
    } else {
      throw new IllegalArgumentException("expected --embedded-zk or --zk HOST:PORT");
    }
    // Read by solr.xml (${...} substitution) and by parts of Solr that look at system properties.
    System.setProperty("jetty.port", Integer.toString(port));
    System.setProperty("host", "127.0.0.1");
    System.setProperty("solr.solr.home", home.toString());
    System.setProperty("solr.install.dir", home.toString());

    JettySolrRunner node =
        new JettySolrRunner(
            home.toString(),
            nodeProps,
            // our own hook below stops the node once (Jetty's hook would race it)
            JettyConfig.builder().setPort(port).stopAtShutdown(false).build());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    if (node.isRunning()) node.stop();
                  } catch (Exception e) {
                    e.printStackTrace();
                  } finally {
                    stopped.countDown();
                  }
                },
                "sheaf-solr-stop"));
    try {
      node.start();
      if (node.getCoreContainer() == null || node.getCoreContainer().getZkController() == null) {
        throw new IllegalStateException("CoreContainer did not start in cloud mode");
      }
    } catch (Exception e) {
      e.printStackTrace();
      System.err.println("SHEAF-SOLR-FAILED port=" + port + ": " + e);
      System.exit(1); // runs the shutdown hook; non-daemon threads would keep the JVM alive
    }
    System.out.println(
        "SHEAF-SOLR-READY port=" + node.getLocalPort() + " node=" + node.getNodeName()
            + " zk=" + zkHost + " pid=" + ProcessHandle.current().pid());
    System.out.flush();
    stopped.await();
  }
}
