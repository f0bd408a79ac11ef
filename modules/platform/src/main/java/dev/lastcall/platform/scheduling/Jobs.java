package dev.lastcall.platform.scheduling;

import com.google.inject.Binder;
import com.google.inject.Injector;
import com.google.inject.Provider;
import com.google.inject.multibindings.Multibinder;
import jakarta.inject.Inject;

/** How a module registers a job: {@code Jobs.of(binder()).schedule("name", schedule, MyJob.class)}. */
public final class Jobs {

    /** A job with its name and schedule, as the scheduler sees it. */
    public record ScheduledJob(String name, JobSchedule schedule, Job job) {}

    private final Multibinder<ScheduledJob> jobs;

    private Jobs(Binder binder) {
        this.jobs = Multibinder.newSetBinder(binder, ScheduledJob.class);
    }

    public static Jobs of(Binder binder) {
        return new Jobs(binder);
    }

    public Jobs schedule(String name, JobSchedule schedule, Class<? extends Job> job) {
        jobs.addBinding().toProvider(new JobProvider(name, schedule, job));
        return this;
    }

    public Jobs schedule(String name, JobSchedule schedule, Job job) {
        jobs.addBinding().toInstance(new ScheduledJob(name, schedule, job));
        return this;
    }

    private static final class JobProvider implements Provider<ScheduledJob> {

        private final String name;
        private final JobSchedule schedule;
        private final Class<? extends Job> job;
        @Inject
        private Injector injector;

        JobProvider(String name, JobSchedule schedule, Class<? extends Job> job) {
            this.name = name;
            this.schedule = schedule;
            this.job = job;
        }

        @Override
        public ScheduledJob get() {
            return new ScheduledJob(name, schedule, injector.getInstance(job));
        }
    }
}
