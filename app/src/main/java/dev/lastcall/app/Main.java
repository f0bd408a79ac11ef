package dev.lastcall.app;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import dev.lastcall.platform.PlatformModule;
import dev.lastcall.platform.config.ConfigError;
import dev.lastcall.platform.config.Settings;
import dev.lastcall.platform.lifecycle.ExitStatus;
import dev.lastcall.platform.process.Logging;
import dev.lastcall.platform.process.ProcessSettings;
import dev.lastcall.platform.process.ServiceRunner;
import dev.lastcall.platform.process.Signals;
import dev.lastcall.platform.process.StaleAotCache;
import java.util.List;

/** {@code java -jar lastcall.jar [--config FILE]}: loads and checks the settings, then runs the service. */
public final class Main {

    private Main() {}

    public static void main(String[] args) throws InterruptedException, java.io.IOException {
        // first: a cache trained for an older jar would have the JVM run that jar's classes
        StaleAotCache.restartWithoutIfStale();
        if (args.length > 0 && args[0].equals("reload")) {
            System.exit(Reload.run(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        // before anything else, so that a SIGTERM during the start is ours, not the JVM's exit 143
        Signals.install();
        // Guice by reflection, without generating classes or keeping a stack trace per binding: ~60 ms of a start
        System.setProperty("guice_bytecode_gen_option", System.getProperty("guice_bytecode_gen_option", "DISABLED"));
        System.setProperty("guice_include_stack_traces", System.getProperty("guice_include_stack_traces", "OFF"));
        CommandLine commandLine = parseOrExit(args);
        if (commandLine.help()) {
            System.out.println(CommandLine.USAGE);
            return;
        }
        if (commandLine.version()) {
            System.out.println("lastcall " + version());
            return;
        }
        Settings settings;
        PlatformModule platform;
        List<com.google.inject.Module> modules;
        try {
            settings = Settings.load(commandLine.config(), System.getenv());
            // before anything logs, so that every line has the configured level and format
            Logging.apply(ProcessSettings.from(settings));
            platform = new PlatformModule(settings);
            modules = Modules.all(platform, settings);
        } catch (ConfigError e) {
            System.err.println("lastcall: configuration error: " + e.getMessage());
            System.exit(ExitStatus.CONFIG_ERROR.code());
            return;
        }
        Injector injector = Guice.createInjector(Stage.PRODUCTION, modules);
        injector.getInstance(ServiceRunner.class).run();
    }

    private static CommandLine parseOrExit(String[] args) {
        try {
            return CommandLine.parse(args);
        } catch (CommandLine.UsageError e) {
            System.err.println("lastcall: " + e.getMessage());
            System.err.println(CommandLine.USAGE);
            System.exit(ExitStatus.CONFIG_ERROR.code());
            throw new AssertionError("unreachable");
        }
    }

    private static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }
}
