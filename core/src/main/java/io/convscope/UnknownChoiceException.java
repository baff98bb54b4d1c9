package io.convscope;

import java.util.List;
import java.util.function.Function;

/**
 * A value that is none of a setting's choices ("strech" for the resize mode). Carries the value, the
 * choices and the setting (null when the parser did not know which setting it parsed: a front end
 * then names it with {@link #describe(String)}).
 */
public final class UnknownChoiceException extends ConvscopeException {
    private final String value;
    private final List<String> choices;
    private final Setting setting;
    private final String hint;

    /**
     * @param value   what was given
     * @param choices the accepted names
     * @param setting the setting, or null
     * @param hint    a suggestion appended to the message ("; did you mean stretch?"), or ""
     */
    public UnknownChoiceException(String value, List<String> choices, Setting setting, String hint) {
        super(describe(setting == null ? "value" : setting.toString(), value, choices, hint));
        this.value = value;
        this.choices = List.copyOf(choices);
        this.setting = setting;
        this.hint = hint;
    }

    /** The value given. */
    public String value() {
        return value;
    }

    /** The names that would have been accepted, in their order. */
    public List<String> choices() {
        return choices;
    }

    /** The setting, or null when unknown to the parser. */
    public Setting setting() {
        return setting;
    }

    /** The message with the setting called {@code what}: "unknown --resize 'x': use crop, stretch, pad or imagenet". */
    public String describe(String what) {
        return describe(what, value, choices, hint);
    }

    @Override
    public String message(Function<Setting, String> name) {
        return setting == null ? super.message(name) : describe(name.apply(setting));
    }

    private static String describe(String what, String value, List<String> choices, String hint) {
        StringBuilder sb = new StringBuilder("unknown ").append(what).append(" '").append(value).append("': use ");
        for (int i = 0; i < choices.size(); i++) {
            if (i > 0) {
                sb.append(i == choices.size() - 1 ? " or " : ", ");
            }
            sb.append(choices.get(i));
        }
        return sb.append(hint).toString();
    }
}
