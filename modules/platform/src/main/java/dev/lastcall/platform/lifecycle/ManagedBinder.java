package dev.lastcall.platform.lifecycle;

import com.google.inject.Binder;
import com.google.inject.Scopes;
import com.google.inject.multibindings.MapBinder;

/** The one way to register a component: {@code ManagedBinder.of(binder()).manage(Phase.HTTP, X.class)}. */
public final class ManagedBinder {

    private final Binder binder;
    private final MapBinder<Phase, Managed> components;

    private ManagedBinder(Binder binder) {
        this.binder = binder;
        this.components = MapBinder.newMapBinder(binder, Phase.class, Managed.class).permitDuplicates();
    }

    public static ManagedBinder of(Binder binder) {
        return new ManagedBinder(binder);
    }

    /** Binds the component as a singleton too, so whoever injects it shares the managed instance. */
    public ManagedBinder manage(Phase phase, Class<? extends Managed> component) {
        binder.bind(component).in(Scopes.SINGLETON);
        components.addBinding(phase).to(component);
        return this;
    }

    public ManagedBinder manage(Phase phase, Managed component) {
        components.addBinding(phase).toInstance(component);
        return this;
    }
}
