package dev.lastcall.app;

import com.google.inject.Module;
import dev.lastcall.ledger.LedgerModule;
import dev.lastcall.platform.PlatformModule;
import dev.lastcall.platform.config.Settings;
import dev.lastcall.webhooks.WebhooksModule;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The list of modules that make the service. Constructing each validates its settings. */
final class Modules {

    private static final Logger log = LoggerFactory.getLogger(Modules.class);

    private Modules() {}

    static List<Module> all(PlatformModule platform, Settings settings) {
        List<Module> modules = new ArrayList<>();
        modules.add(platform);
        modules.add(new LedgerModule(settings));
        modules.add(new WebhooksModule(settings));
        for (Extension extension : ServiceLoader.load(Extension.class)) {
            log.warn("extension loaded from the class path: {} (not part of the shipped service)",
                    extension.getClass().getName());
            modules.add(extension);
        }
        return modules;
    }
}
