package org.vitarena.runner;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real one-node Slurm cluster for a test: munged, slurmctld and slurmd on loopback, configured by
 * {@code src/test/resources/slurm/slurm.conf.in} with free ports, and everything they write (state,
 * spool, logs, pid files, the munge key and socket) in the test's folder. {@link #close} stops the
 * three daemons by their pid files. Needs Debian's slurm-wlm and munge, and to run as root (slurmd
 * starts jobs); {@link #missing} says what is absent.
 */
final class SlurmCluster implements AutoCloseable {
    static final String PACKAGES = "slurm-wlm munge (apt-get install -y slurm-wlm munge), run as root";
    private final Path dir;
    private final Path conf;

    /** What keeps the cluster from starting here, or null. */
    static String missing() {
        for (String exe : List.of("munged", "mungekey", "slurmctld", "slurmd", "sbatch", "scontrol", "sinfo", "scancel")) {
            if (which(exe) == null) return exe + " not found: install " + PACKAGES;
        }
        if (!"root".equals(System.getProperty("user.name"))) return "slurmd must run as root here: run the tests as root";
        return null;
    }

    static Path which(String exe) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin"));
        for (String d : dirs) if (!d.isBlank() && Files.isExecutable(Path.of(d, exe))) return Path.of(d, exe);
        return null;
    }

    SlurmCluster(Path dir) throws Exception {
        this.dir = dir;
        Path munge = dir.resolve("munge");
        Files.createDirectories(munge, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createDirectories(dir.resolve("state"));
        Files.createDirectories(dir.resolve("spool"));
        String host = run(List.of("hostname", "-s")).strip();
        String template;
        try (InputStream in = SlurmCluster.class.getResourceAsStream("/slurm/slurm.conf.in")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        conf = dir.resolve("slurm.conf");
        Files.writeString(conf, template.replace("@DIR@", dir.toString()).replace("@HOST@", host).replace("@USER@", System.getProperty("user.name"))
                .replace("@CTLD_PORT@", String.valueOf(freePort())).replace("@SLURMD_PORT@", String.valueOf(freePort())));
        run(List.of(which("mungekey").toString(), "-c", "-k", munge.resolve("munge.key").toString()));
        run(List.of(which("munged").toString(), "--socket=" + munge.resolve("munge.sock"), "--key-file=" + munge.resolve("munge.key"),
                "--pid-file=" + munge.resolve("munged.pid"), "--log-file=" + munge.resolve("munged.log"),
                "--seed-file=" + munge.resolve("munged.seed"), "--force"));
        run(List.of(which("slurmctld").toString(), "-f", conf.toString(), "-i"));
        run(List.of(which("slurmd").toString(), "-f", conf.toString()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!run(List.of("sinfo", "-h", "-o", "%t")).strip().equals("idle")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the test cluster did not come up:\n" + tail(dir.resolve("slurmctld.log")) + tail(dir.resolve("slurmd.log")));
            }
            Thread.sleep(300);
        }
    }

    /** The environment a Slurm client or a runner that submits needs. */
    Map<String, String> env() {
        return Map.of("SLURM_CONF", conf.toString());
    }

    /** Runs a command with this cluster's configuration; its output (stdout and stderr). */
    String run(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (conf != null) pb.environment().put("SLURM_CONF", conf.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String tail(Path f) {
        try {
            List<String> l = Files.readAllLines(f);
            return String.join("\n", l.subList(Math.max(0, l.size() - 15), l.size())) + "\n";
        } catch (IOException e) {
            return f + ": " + e.getMessage() + "\n";
        }
    }

    @Override
    public void close() throws Exception {
        run(List.of("scancel", "--user=" + System.getProperty("user.name"))); // nothing of this cluster outlives the test
        for (Path pid : List.of(dir.resolve("slurmd.pid"), dir.resolve("slurmctld.pid"), dir.resolve("munge").resolve("munged.pid"))) {
            if (!Files.exists(pid)) continue;
            long id = Long.parseLong(Files.readString(pid).strip());
            ProcessHandle.of(id).ifPresent(h -> {
                h.destroy();
                try {
                    h.onExit().get(20, TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            });
        }
    }
}
