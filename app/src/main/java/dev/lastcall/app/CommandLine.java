package dev.lastcall.app;

import java.nio.file.Path;
import java.util.Optional;

/** {@code lastcall [--config FILE] [--help] [--version]}. */
record CommandLine(Optional<Path> config, boolean help, boolean version) {

    static final String USAGE = """
            usage: java -jar lastcall.jar [--config FILE]
                   java -jar lastcall.jar reload PID   hot handover of the service running as PID (SIGHUP),
                                                       exit 0 once a successor took over, 1 if it failed
              --config FILE   read settings from FILE over the defaults (see config/lastcall.conf);
                              LASTCALL_* environment variables override both
              --help          print this and exit
              --version       print the version and exit
            exit status: 0 stopped cleanly, 1 start failed, 2 bad configuration or usage,
            3 database unreachable, 4 stop had to cut work, 5 stop hung and was halted,
            130 halted by a second Ctrl-C (or by a Ctrl-C before main ran),
            143 SIGTERM before main ran (the JVM's own)""";

    /** A command line that cannot be understood; the message says why. */
    static final class UsageError extends Exception {
        UsageError(String message) {
            super(message);
        }
    }

    static CommandLine parse(String... args) throws UsageError {
        Optional<Path> config = Optional.empty();
        boolean help = false;
        boolean version = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> help = true;
                case "--version" -> version = true;
                case "--config" -> {
                    if (i + 1 >= args.length || args[i + 1].isBlank()) {
                        throw new UsageError("--config needs a file");
                    }
                    if (config.isPresent()) {
                        throw new UsageError("--config given twice");
                    }
                    config = Optional.of(Path.of(args[++i]));
                }
                default -> {
                    if (arg.startsWith("--config=")) {
                        config = Optional.of(Path.of(arg.substring("--config=".length())));
                    } else {
                        throw new UsageError("unknown argument: " + arg);
                    }
                }
            }
        }
        return new CommandLine(config, help, version);
    }
}
