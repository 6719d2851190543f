package io.github.sensecapexporter.store;

/** The latest reading of a series: its value, when it was measured and when it arrived. */
public record Sample(double value, long timestampMillis, long receivedMillis) {}
