package org.vitarena.engine;

/**
 * A {@link TrainConfig} setting out of range, said in the engine's own words: the setting's name as
 * the record spells it ({@code lr}, {@code keepLast}) and what it must be. A front end maps
 * {@link #key()} to its own name for the setting (the runner: {@code --lr}, {@code --keep-last}).
 */
public final class InvalidConfigException extends IllegalArgumentException {
    private final String key;
    private final String requirement;

    public InvalidConfigException(String key, String requirement) {
        super(key + " " + requirement);
        this.key = key;
        this.requirement = requirement;
    }

    /** The setting, as the {@link TrainConfig} component is named. */
    public String key() {
        return key;
    }

    /** What is wrong, without the setting's name: "must be > 0, got -1.0". */
    public String requirement() {
        return requirement;
    }
}
