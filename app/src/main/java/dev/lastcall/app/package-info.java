/**
 * The composition root: the command line, the list of modules, and {@code main}. Everything else
 * lives in the modules; this package only wires them.
 */
@NullMarked
package dev.lastcall.app;

import org.jspecify.annotations.NullMarked;
