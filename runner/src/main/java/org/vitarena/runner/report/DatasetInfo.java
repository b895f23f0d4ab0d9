package org.vitarena.runner.report;

/** The dataset a comparison ran on, as {@code results.json} names it. */
public record DatasetInfo(String name, int numClasses, int trainImages, int valImages) {}
