package org.vitarena.runner;

import org.vitarena.runner.report.ModelResult;
import org.vitarena.runner.report.Report;
import org.vitarena.runner.report.RunFolders;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code runner --all --executor slurm}: one {@code sbatch} job array, one task per model × seed, each
 * task this same {@code runner --all} command restricted to its (model, seed) by
 * {@code SLURM_ARRAY_TASK_ID} (so a task trains exactly what a local {@code --all} would, into the
 * same run folder under the shared {@code --out}); then a job depending on the array ({@code afterany})
 * that runs {@code runner report OUT --slurm-array ID}. Scripts, the task table and logs go to OUT/slurm/.
 *
 * <p>A task Slurm ended (TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, CANCELLED, a non-zero exit) is recorded in
 * its run folder ({@link RunFolders#SLURM_STATE}) with its log's path, and its row says so. With
 * {@code --requeue}, Slurm sends SIGUSR1 to the batch script {@code --signal-secs} before the time limit
 * (and {@code scancel --signal=USR1 --batch} does the same by hand): the script forwards it, the task
 * checkpoints at its next step boundary and exits with {@value AllCommand#STOPPED}, and the script
 * requeues it; the requeued task resumes from the checkpoint. Jobs are followed with {@code scontrol}
 * (no accounting database needed).
 */
final class SlurmExecutor {
    /** States in which a task is over. */
    static final Set<String> FINAL = Set.of("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "PREEMPTED",
            "BOOT_FAIL", "DEADLINE", "SPECIAL_EXIT");
    static final String TASKS = "tasks.tsv", ARRAY_ID = "array-job-id";

    /** The scheduler's settings of --all --executor slurm. */
    record Options(String partition, String time, Integer cpusPerTask, String mem, String gres, List<String> sbatchArgs, boolean requeue,
                   int signalSecs, boolean waitForEnd) {}

    /** One array task: its index, model, seed and run folder. */
    record Task(int index, String model, long seed, Path dir) {}

    private SlurmExecutor() {}

    /** The executor options, removed from an --all command line to make a task's (which adds --array-task). */
    static final Set<String> OWN_WITH_VALUE = Set.of("--executor", "--partition", "--time", "--cpus-per-task", "--mem", "--gres",
            "--sbatch-arg", "--signal-secs");
    static final Set<String> OWN_FLAGS = Set.of("--wait", "--requeue");

    static List<Task> tasks(List<String> models, List<Long> seeds, Path out) {
        List<Task> t = new ArrayList<>();
        for (String m : models) for (long s : seeds) t.add(new Task(t.size(), m, s, AllCommand.runDir(out, m, s, seeds.size() > 1)));
        return t;
    }

    static int submit(org.vitarena.engine.ModelRegistry reg, List<String> models, List<Long> seeds, Path out, Options o, List<String> args, PrintWriter outW, PrintWriter errW)
            throws IOException, InterruptedException {
        Path out0 = out.toAbsolutePath();
        Path dir = out0.resolve("slurm");
        Files.createDirectories(dir);
        List<Task> tasks = tasks(models, seeds, out0);
        StringBuilder tsv = new StringBuilder("index\tmodel\tseed\trun\n");
        for (Task t : tasks) tsv.append(t.index()).append('\t').append(t.model()).append('\t').append(t.seed()).append('\t').append(t.dir()).append('\n');
        Files.writeString(dir.resolve(TASKS), tsv);

        List<String> java = javaCommand();
        List<String> taskArgs = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i), name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (OWN_FLAGS.contains(a)) continue;
            if (OWN_WITH_VALUE.contains(name)) { if (!a.contains("=")) i++; continue; }
            if (name.equals("--out")) { if (!a.contains("=")) i++; continue; }
            taskArgs.add(a);
        }
        taskArgs.addAll(List.of("--out", out0.toString(), "--array-task"));
        List<String> taskCmd = new ArrayList<>(java);
        taskCmd.addAll(taskArgs);

        StringBuilder sh = new StringBuilder("#!/bin/bash\n");
        sh.append("#SBATCH --job-name=vitarena-all\n");
        sh.append("#SBATCH --array=0-").append(tasks.size() - 1).append('\n');
        sh.append("#SBATCH --output=").append(dir).append("/task-%A_%a.log\n");
        sh.append("#SBATCH --open-mode=append\n"); // a requeued task's log keeps the run before it
        if (o.partition() != null) sh.append("#SBATCH --partition=").append(o.partition()).append('\n');
        if (o.time() != null) sh.append("#SBATCH --time=").append(o.time()).append('\n');
        if (o.cpusPerTask() != null) sh.append("#SBATCH --cpus-per-task=").append(o.cpusPerTask()).append('\n');
        if (o.mem() != null) sh.append("#SBATCH --mem=").append(o.mem()).append('\n');
        if (o.gres() != null) sh.append("#SBATCH --gres=").append(o.gres()).append('\n');
        if (o.requeue()) sh.append("#SBATCH --requeue\n#SBATCH --signal=B:USR1@").append(o.signalSecs()).append('\n');
        for (String a : o.sbatchArgs()) sh.append("#SBATCH ").append(a).append('\n');
        sh.append("# one task: this (model, seed) of `runner --all`, trained into its run folder under the shared --out\n");
        sh.append("cd ").append(quote(Path.of("").toAbsolutePath().toString())).append('\n');
        sh.append(String.join(" ", taskCmd.stream().map(SlurmExecutor::quote).toList())).append(" &\n");
        sh.append("child=$!\n");
        sh.append("# SIGUSR1 (before the time limit, or by hand): the task checkpoints at its next step and exits ").append(AllCommand.STOPPED).append('\n');
        sh.append("trap 'kill -USR1 $child 2>/dev/null' USR1\n");
        sh.append("while :; do wait $child; rc=$?; kill -0 $child 2>/dev/null || break; done\n");
        sh.append("if [ $rc -eq ").append(AllCommand.STOPPED).append(" ]; then\n");
        sh.append("    echo \"stopped on request: requeueing $SLURM_JOB_ID\"\n");
        sh.append("    scontrol requeue \"$SLURM_JOB_ID\" && exit 0\n");
        sh.append("fi\n");
        sh.append("exit $rc\n");
        Path array = dir.resolve("array.sh");
        Files.writeString(array, sh);

        List<String> reportCmd = new ArrayList<>(java);
        List<String> common = commonOptions(args);
        reportCmd.addAll(common);
        reportCmd.addAll(List.of("report", out0.toString(), "--slurm-array"));
        String arrayId = sbatch(List.of("sbatch", "--parsable", array.toString()));
        Files.writeString(dir.resolve(ARRAY_ID), arrayId + "\n");
        reportCmd.add(arrayId);
        Path report = dir.resolve("report.sh");
        Files.writeString(report, "#!/bin/bash\n#SBATCH --job-name=vitarena-report\n#SBATCH --output=" + dir + "/report-%j.log\n"
                + (o.partition() != null ? "#SBATCH --partition=" + o.partition() + "\n" : "")
                + "cd " + quote(Path.of("").toAbsolutePath().toString()) + "\n"
                + String.join(" ", reportCmd.stream().map(SlurmExecutor::quote).toList()) + "\n");
        String reportId = sbatch(List.of("sbatch", "--parsable", "--dependency=afterany:" + arrayId, report.toString()));
        errW.println("slurm: array job " + arrayId + " (" + tasks.size() + " tasks, logs " + dir + "/task-" + arrayId + "_N.log), report job "
                + reportId + " after it");
        errW.flush();
        if (!o.waitForEnd()) {
            outW.println("submitted array job " + arrayId + " and report job " + reportId + "; results will be in " + out0);
            return 0;
        }
        follow(arrayId, tasks.size(), errW);
        recordStates(out0, arrayId);
        ReportCommand.Comparison c = ReportCommand.build(out0, reg, models);
        Report.write(out0, c.dataset(), c.recipe(), c.rows());
        outW.println(Report.table(c.rows()));
        outW.println("results: " + out0.resolve(Report.RESULTS_JSON) + ", " + out0.resolve(Report.RESULTS_MD) + ", plots in " + out0);
        return c.rows().stream().allMatch(ModelResult::isOk) ? 0 : 1;
    }

    /** Options that come before the subcommand and matter to `report` as well (plugins, verbosity). */
    private static List<String> commonOptions(List<String> args) {
        List<String> c = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--plugins") && i + 1 < args.size()) c.addAll(List.of("--plugins", Path.of(args.get(i + 1)).toAbsolutePath().toString()));
        }
        return c;
    }

    /** java, this JVM's options and class path, and the main class: how a task runs this same build. */
    static List<String> javaCommand() {
        List<String> c = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-agentlib:jdwp") || a.startsWith("-javaagent")) continue;
            c.add(a);
        }
        c.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        return c;
    }

    static String quote(String s) {
        return s.matches("[A-Za-z0-9_./=:@%+,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    private static String sbatch(List<String> cmd) throws IOException, InterruptedException {
        Result r = exec(cmd);
        if (r.code() != 0) throw new IOException(String.join(" ", cmd) + " failed (exit " + r.code() + "): " + r.out().strip());
        String id = r.out().strip();
        int semi = id.indexOf(';');
        return semi >= 0 ? id.substring(0, semi) : id;
    }

    record Result(int code, String out) {}

    static Result exec(List<String> cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run " + cmd.get(0) + " (" + e.getMessage() + "): --executor slurm needs Slurm's client commands "
                    + "(Debian: apt-get install slurm-client) and a reachable slurmctld", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        return new Result(p.exitValue(), out);
    }

    /** One task as scontrol shows it. */
    record TaskState(int index, String state, String exitCode, String log) {}

    /** The tasks of an array as the controller knows them (a pending range counts as one record without an index: -1). */
    static List<TaskState> states(String arrayId) throws IOException, InterruptedException {
        Result r = exec(List.of("scontrol", "show", "job", "-o", arrayId));
        List<TaskState> out = new ArrayList<>();
        if (r.code() != 0) return out;
        for (String line : r.out().split("\n")) {
            if (line.isBlank()) continue;
            Map<String, String> f = new LinkedHashMap<>();
            for (String kv : line.trim().split(" ")) {
                int eq = kv.indexOf('=');
                if (eq > 0) f.putIfAbsent(kv.substring(0, eq), kv.substring(eq + 1));
            }
            String idx = f.getOrDefault("ArrayTaskId", "");
            for (int index : indices(idx)) {
                out.add(new TaskState(index, f.getOrDefault("JobState", "?"), f.getOrDefault("ExitCode", "?"), f.getOrDefault("StdOut", "?")));
            }
        }
        return out;
    }

    /** The task indices of an ArrayTaskId field: {@code 3}, {@code 0-3}, {@code 1,3-4}, {@code 0-7%2}. */
    static List<Integer> indices(String field) {
        List<Integer> out = new ArrayList<>();
        String f = field.contains("%") ? field.substring(0, field.indexOf('%')) : field;
        for (String part : f.split(",")) {
            String[] ab = part.trim().split("-");
            try {
                int a = Integer.parseInt(ab[0].trim()), b = ab.length > 1 ? Integer.parseInt(ab[1].trim()) : a;
                for (int i = a; i <= b; i++) out.add(i);
            } catch (NumberFormatException e) {
                // not an array task
            }
        }
        return out;
    }

    /**
     * Follows the array until no task is pending or running, printing a progress line when it changes.
     * A task cancelled while pending leaves no record in Slurm 22.05: it counts as over.
     */
    static void follow(String arrayId, int n, PrintWriter errW) throws IOException, InterruptedException {
        String last = "";
        for (int misses = 0; ; ) {
            List<TaskState> s = states(arrayId);
            if (s.isEmpty()) {
                if (++misses > 5) { errW.println("slurm: array " + arrayId + " is no longer known to the controller"); return; }
            } else misses = 0;
            long active = s.stream().filter(t -> !FINAL.contains(t.state())).map(TaskState::index).distinct().count();
            long over = s.isEmpty() ? 0 : n - active;
            Map<String, Integer> counts = new java.util.TreeMap<>();
            for (TaskState t : s) counts.merge(t.state().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
            String line = "slurm: array " + arrayId + ": " + over + "/" + n + " tasks over " + counts;
            if (!line.equals(last)) {
                errW.println(line);
                errW.flush();
                last = line;
            }
            if (over >= n) return;
            Thread.sleep(2000);
        }
    }

    /** Writes, into the run folder of each task Slurm ended otherwise than COMPLETED with exit 0, its state and log path. */
    static void recordStates(Path out, String arrayId) throws IOException, InterruptedException {
        Map<Integer, Path> dirs = new LinkedHashMap<>();
        Path tsv = out.resolve("slurm").resolve(TASKS);
        if (!Files.exists(tsv)) return;
        for (String line : Files.readAllLines(tsv).subList(1, Files.readAllLines(tsv).size())) {
            String[] f = line.split("\t");
            if (f.length == 4) dirs.put(Integer.parseInt(f[0]), Path.of(f[3]));
        }
        List<TaskState> known = states(arrayId);
        for (var e : dirs.entrySet()) {
            boolean seen = known.stream().anyMatch(t -> t.index() == e.getKey());
            boolean finished = RunFolders.isRun(e.getValue()) && RunFolders.read(e.getValue(), "?", null).result().isOk();
            if (!seen && !finished) {
                Files.createDirectories(e.getValue());
                Files.writeString(e.getValue().resolve(RunFolders.SLURM_STATE), "slurm: task " + arrayId + "_" + e.getKey()
                        + " has no record (cancelled before it started?), log " + out.resolve("slurm").resolve("task-" + arrayId + "_" + e.getKey() + ".log") + "\n");
            }
        }
        for (TaskState t : known) {
            Path d = dirs.get(t.index());
            if (d == null || !FINAL.contains(t.state())) continue;
            boolean ok = t.state().equals("COMPLETED") && t.exitCode().equals("0:0");
            Files.createDirectories(d);
            Path f = d.resolve(RunFolders.SLURM_STATE);
            if (ok) Files.deleteIfExists(f);
            else Files.writeString(f, "slurm " + t.state() + " (exit " + t.exitCode() + "), log " + t.log() + "\n");
        }
    }
}
