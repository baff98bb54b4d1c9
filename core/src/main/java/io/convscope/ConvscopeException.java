package io.convscope;

import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An error a user can act on: bad input, an unsupported model, a failed download. Its message is one
 * line that says what went wrong and, where possible, what to do. The command line prints only the
 * message, never a stack trace.
 *
 * <p>Messages name the settings a user can change through {@link Setting} markers, never through a
 * front end's spelling: {@link #getMessage()} writes them as plain keys ("size must be at least 1"),
 * {@link #message(Function)} as the caller spells them ("--size must be at least 1" on the command
 * line). Subclasses carry the figures a front end may want to show in its own way
 * ({@link TooLargeException}, {@link NeedsModelSizeException}, {@link UnknownChoiceException}).
 */
public class ConvscopeException extends RuntimeException {
    private static final Pattern MARKER = Pattern.compile("\\{([a-z][a-z-]*)\\}");

    public ConvscopeException(String message) {
        super(message);
    }

    public ConvscopeException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The message with each setting written as {@code name} writes it. */
    public String message(Function<Setting, String> name) {
        return render(super.getMessage(), name);
    }

    /** The message with settings as plain keys ({@link Setting#key()}). */
    @Override
    public String getMessage() {
        return message(Setting::key);
    }

    /** {@code text} with every <code>{key}</code> marker of a {@link Setting} written by {@code name}; other braces stay. */
    public static String render(String text, Function<Setting, String> name) {
        if (text == null || text.indexOf('{') < 0) {
            return text;
        }
        Matcher m = MARKER.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            Setting s = Setting.byKey(m.group(1));
            m.appendReplacement(sb, Matcher.quoteReplacement(s == null ? m.group() : name.apply(s)));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
