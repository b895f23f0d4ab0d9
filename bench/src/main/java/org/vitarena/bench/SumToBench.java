package org.vitarena.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.vitarena.core.backend.Storage;
import org.vitarena.core.cpu.CpuBackend;
import org.vitarena.core.cpu.CpuThreads;

/**
 * {@code CpuBackend.sumTo}, the backward of a broadcast, on the shapes of its three paths: a bias
 * gradient ({@code bias}: [2080, 192] to [192], column sums), a per-channel scale of NCHW
 * ({@code channel}: [32, 64, 32, 32] to [1, 64, 1, 1], leading and trailing dimensions reduced around
 * the kept one) and a reduction the fast paths do not cover ({@code general}: [32, 64, 16, 16] to
 * [1, 64, 1, 16]). A score is calls per second.
 *
 * <pre>
 * mvn -q -Pbench -pl core,bench -am package -DskipTests
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar SumToBench -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class SumToBench {
    @Param({"bias", "channel", "general"})
    public String shape;

    @Param({"2"})
    public int threads;

    private int[] xShape, outStrides;
    private Storage x, out;

    @Setup
    public void setup() {
        CpuThreads.setThreads(threads);
        int[] outShape;
        switch (shape) {
            case "bias" -> { xShape = new int[]{2080, 192}; outShape = new int[]{1, 192}; }
            case "channel" -> { xShape = new int[]{32, 64, 32, 32}; outShape = new int[]{1, 64, 1, 1}; }
            case "general" -> { xShape = new int[]{32, 64, 16, 16}; outShape = new int[]{1, 64, 1, 16}; }
            default -> throw new IllegalArgumentException(shape);
        }
        outStrides = new int[xShape.length];
        int n = 1, m = 1;
        for (int d = xShape.length - 1; d >= 0; d--) {
            outStrides[d] = outShape[d] == 1 && xShape[d] != 1 ? 0 : m;
            m *= outShape[d];
            n *= xShape[d];
        }
        float[] v = new float[n];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < n; i++) v[i] = (float) r.nextDouble();
        x = CpuBackend.INSTANCE.upload(v);
        out = CpuBackend.INSTANCE.allocate(m);
    }

    @Benchmark
    public Storage sumTo() {
        CpuBackend.INSTANCE.sumTo(x, xShape, out, outStrides);
        return out;
    }
}
