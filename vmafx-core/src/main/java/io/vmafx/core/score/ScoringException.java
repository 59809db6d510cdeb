package io.vmafx.core.score;

import java.util.Optional;

/**
 * A scoring job could not produce scores; thrown by {@link Scorer#score(ScoreRequest)}.
 *
 * <p>The message is one line meant for the user as is (the CLI prints it, the executor stores it in the job
 * result): it names what went wrong and, where there is one, the fix. It never contains URL credentials:
 * the constructor redacts {@code user:pass@} from every URL and folds line breaks into spaces.
 *
 * <p>{@link #side()} says which input is at fault when that is known, e.g. the distorted URL answered
 * {@code 404 Not Found}; it is empty for failures of the tool, the model or the machine.
 */
public class ScoringException extends Exception {

    private static final long serialVersionUID = 1L;

    private final InputSide side;

    /** A failure not tied to one input. */
    public ScoringException(String message) {
        this(message, null, null);
    }

    /** A failure not tied to one input, caused by {@code cause}. */
    public ScoringException(String message, Throwable cause) {
        this(message, null, cause);
    }

    /** A failure of one input ({@code side} may be null when it is not known). */
    public ScoringException(String message, InputSide side) {
        this(message, side, null);
    }

    /** A failure of one input ({@code side} may be null when it is not known), caused by {@code cause}. */
    public ScoringException(String message, InputSide side, Throwable cause) {
        super(oneLine(message), cause);
        this.side = side;
    }

    /** The input at fault, when the failure could be pinned on one. */
    public Optional<InputSide> side() {
        return Optional.ofNullable(side);
    }

    private static String oneLine(String message) {
        if (message == null) {
            return "scoring failed";
        }
        return CredentialRedactor.redact(message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip());
    }
}
