package org.vitarena.spi;

/**
 * A family's config record that knows how to take {@link ModelOptions}: the three {@code with*}
 * methods every family has, and {@link #apply} built from them. Implement it on the config record and
 * a {@link VariantTable} applies options for you.
 *
 * @param <C> the config type itself
 */
public interface VariantConfig<C extends VariantConfig<C>> {
    /** The same config with {@code n} classifier outputs. */
    C withNumClasses(int n);

    /** The same config at input resolution {@code size} (square). */
    C withImgSize(int size);

    /** The same config with stochastic-depth rate {@code rate}. */
    C withDropPath(float rate);

    /** The options applied: class count and drop-path rate always, the image size when it is above 0. */
    default C apply(ModelOptions o) {
        C c = withNumClasses(o.numClasses()).withDropPath(o.dropPathRate());
        return o.imgSize() > 0 ? c.withImgSize(o.imgSize()) : c;
    }
}
