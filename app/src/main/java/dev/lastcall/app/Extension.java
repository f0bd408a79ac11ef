package dev.lastcall.app;

import com.google.inject.Module;

/**
 * A module found on the class path through {@link java.util.ServiceLoader}, for tests that add
 * routes or components to the real jar ({@code java -cp lastcall.jar:extra ...}). The shipped jar
 * contains none, and each one found is logged as a warning.
 */
public interface Extension extends Module {}
