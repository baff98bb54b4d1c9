package io.convscope;

import io.convscope.util.Names;

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

    public UnknownChoiceException(String value, List<String> choices, Setting setting) {
        super(describe(setting == null ? "value" : setting.toString(), value, choices));
        this.value = value;
        this.choices = List.copyOf(choices);
        this.setting = setting;
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
        return describe(what, value, choices);
    }

    @Override
    public String message(Function<Setting, String> name) {
        return setting == null ? super.message(name) : describe(name.apply(setting));
    }

    private static String describe(String what, String value, List<String> choices) {
        StringBuilder sb = new StringBuilder("unknown ").append(what).append(" '").append(value).append("': use ");
        for (int i = 0; i < choices.size(); i++) {
            if (i > 0) {
                sb.append(i == choices.size() - 1 ? " or " : ", ");
            }
            sb.append(choices.get(i));
        }
        String near = Names.didYouMean(value == null ? "" : value, choices);
        return sb.append(near).toString();
    }
}
