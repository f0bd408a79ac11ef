package dev.lastcall.platform.lifecycle;

/**
 * What a component's stop achieved.
 *
 * @param complete false when the stop had to cut work short (a request, a job, a transaction)
 * @param summary a few words for the shutdown report, e.g. "12 requests drained, 0 cut"
 */
public record StopResult(boolean complete, String summary) {

    public static StopResult complete(String summary) {
        return new StopResult(true, summary);
    }

    public static StopResult cut(String summary) {
        return new StopResult(false, summary);
    }
}
