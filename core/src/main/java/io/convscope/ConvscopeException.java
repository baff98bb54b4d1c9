package io.convscope;

/**
 * An error a user can act on: bad input, an unsupported model, a failed download. Its message is one
 * line that says what went wrong and, where possible, what to do. The command line prints only the
 * message, never a stack trace.
 */
public class ConvscopeException extends RuntimeException {
    public ConvscopeException(String message) {
        super(message);
    }

    public ConvscopeException(String message, Throwable cause) {
        super(message, cause);
    }
}
