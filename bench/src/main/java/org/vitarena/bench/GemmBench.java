package org.vitarena.bench;

import java.util.Collection;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.vitarena.core.cpu.CpuThreads;
import org.vitarena.core.cpu.Gemm;

/**
 * {@link Gemm#sgemm} throughput on 1024³ and the ViT-Tiny/8 at 64 px training shapes
 * (B*N = 32*65 = 2080 tokens, width 192, MLP 768, 3 heads of 64, batch*heads = 96).
 * A score is calls per second; GFLOP/s = score * {@link #flops(String)} / 1e9, which
 * {@link #main} prints after the JMH table.
 *
 * <pre>
 * mvn -q -Pbench -pl core,bench package -DskipTests
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar GemmBench -f 1 -wi 3 -i 5
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.vitarena.bench.GemmBench -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class GemmBench {

  /**
   * name: batch, transA, transB, m, n, k. Forward x·W ("qkv", "fc1", "fc2"), weight
   * gradients xᵀ·dy ("dw_*", transA, k = 2080 tokens), input gradient dy·Wᵀ ("dx_fc1",
   * transB), attention scores q·kᵀ and probabilities·v per (batch, head); "swin_*" shapes on
   * request (compact operands, where Swin reads q, k, v strided in place).
   */
  static int[] shape(String name) {
    return switch (name) {
      case "sq1024" -> new int[] {1, 0, 0, 1024, 1024, 1024};
      case "qkv" -> new int[] {1, 0, 0, 2080, 576, 192};
      case "fc1" -> new int[] {1, 0, 0, 2080, 768, 192};
      case "fc2" -> new int[] {1, 0, 0, 2080, 192, 768};
      case "dw_qkv" -> new int[] {1, 1, 0, 192, 576, 2080};
      case "dw_fc1" -> new int[] {1, 1, 0, 192, 768, 2080};
      case "dw_fc2" -> new int[] {1, 1, 0, 768, 192, 2080};
      case "dx_fc1" -> new int[] {1, 0, 1, 2080, 192, 768};
      case "attn_qk" -> new int[] {96, 0, 1, 65, 65, 64};
      case "attn_av" -> new int[] {96, 0, 0, 65, 64, 65};
      // Swin-T/2 window 4 at 64 px, batch 32 (not in the default list: -p shape=swin_...):
      // weight gradients over 2048 and 32768 tokens, window attention (2048 windows of 16)
      case "swin_dw_qkv3" -> new int[] {1, 1, 0, 1152, 384, 2048};
      case "swin_dw_fc1_1" -> new int[] {1, 1, 0, 384, 96, 32768};
      case "swin_dw_fc2_1" -> new int[] {1, 1, 0, 96, 384, 32768};
      // linear forwards as the model runs them (x·Wᵀ, W stored [out, in]): ViT-Tiny/8 qkv at
      // batch 32, Swin-T/2 fc1 in stages 1 and 3 at batch 64
      case "lin_qkv" -> new int[] {1, 0, 1, 2080, 576, 192};
      case "swin_lin_fc1_1" -> new int[] {1, 0, 1, 65536, 384, 96};
      case "swin_lin_fc1_3" -> new int[] {1, 0, 1, 4096, 1536, 384};
      case "swin_attn_qk" -> new int[] {2048, 0, 1, 16, 16, 32};
      case "swin_attn_av" -> new int[] {2048, 0, 0, 16, 32, 16};
      // the demo models (dim 64, MLP 256, 65 tokens, batch 32) as they run them: fc1's forward
      // (x·Wᵀ), its input gradient (dy·W) and its weight gradients (dyᵀ·x, both ways round)
      case "demo_lin_fc1" -> new int[] {1, 0, 1, 2080, 256, 64};
      case "demo_dx_fc2" -> new int[] {1, 0, 0, 2080, 256, 64};
      case "demo_dw_fc1" -> new int[] {1, 1, 0, 256, 64, 2080};
      case "demo_dw_fc2" -> new int[] {1, 1, 0, 64, 256, 2080};
      // their attention per (item, head): 4 heads of 16, 65 tokens (a 1-column and a 5-row edge):
      // the scores q·kᵀ, P·v, and the key gradient dLᵀ·q
      case "demo_attn_qk" -> new int[] {128, 0, 1, 65, 65, 16};
      case "demo_attn_av" -> new int[] {128, 0, 0, 65, 16, 65};
      case "demo_attn_dk" -> new int[] {128, 1, 0, 65, 16, 65};
      default -> throw new IllegalArgumentException("unknown shape " + name);
    };
  }

  /** Floating-point operations of one call: 2 per multiply-add. */
  static double flops(String name) {
    int[] s = shape(name);
    return 2.0 * s[0] * s[3] * s[4] * s[5];
  }

  @Param({"sq1024", "qkv", "fc1", "fc2", "dw_qkv", "dw_fc1", "dw_fc2", "dx_fc1", "attn_qk",
      "attn_av"})
  public String shape;

  @Param({"2", "1"})
  public int threads;

  /**
   * Operand sets the calls rotate through: 1 keeps them warm in cache, as a product repeated on
   * the same tensors; 16 of the demo models' shapes (about 40 MB) make each call find its operands
   * out of cache, as a training step's products do (each reads tensors written many kernels ago).
   */
  @Param({"1"})
  public int copies;

  int batch;
  boolean transA;
  boolean transB;
  int m;
  int n;
  int k;
  int lda;
  int ldb;
  float[][] as;
  float[][] bs;
  float[][] cs;
  int next;

  @Setup(Level.Trial)
  public void setup() {
    int[] s = shape(shape);
    batch = s[0];
    transA = s[1] != 0;
    transB = s[2] != 0;
    m = s[3];
    n = s[4];
    k = s[5];
    lda = transA ? m : k;
    ldb = transB ? k : n;
    Random r = new Random(1);
    as = new float[copies][batch * m * k];
    bs = new float[copies][batch * k * n];
    cs = new float[copies][batch * m * n];
    for (int t = 0; t < copies; t++) {
      for (int i = 0; i < as[t].length; i++) {
        as[t][i] = r.nextFloat() - 0.5f;
      }
      for (int i = 0; i < bs[t].length; i++) {
        bs[t][i] = r.nextFloat() - 0.5f;
      }
    }
    CpuThreads.setThreads(threads);
  }

  @Benchmark
  public float[] sgemm() {
    int t = next;
    next = t + 1 == copies ? 0 : t + 1;
    float[] c = cs[t];
    Gemm.sgemm(batch, transA, transB, m, n, k, as[t], 0, lda, m * k, bs[t], 0, ldb, k * n,
        c, 0, n, m * n, false);
    return c;
  }

  /** Runs the benchmark with the given JMH options and prints GFLOP/s per shape and threads. */
  public static void main(String[] args) throws Exception {
    Options opts = new CommandLineOptions(args.length == 0
        ? new String[] {GemmBench.class.getSimpleName()} : args);
    Collection<RunResult> results = new Runner(opts).run();
    System.out.println();
    System.out.printf("%-14s %7s %10s%n", "shape", "threads", "GFLOP/s");
    for (RunResult rr : results) {
      String sh = rr.getParams().getParam("shape");
      String th = rr.getParams().getParam("threads");
      double opsPerS = rr.getPrimaryResult().getScore();
      System.out.printf("%-14s %7s %10.1f%n", sh, th, opsPerS * flops(sh) / 1e9);
    }
  }
}
