// The texts the widget shows before the core has loaded, or when the core itself failed: tone-free, so the
// widget never has to choose between 'u' and 'je'. Every other text comes from the core (ui(), responses).
const BEFORE_CORE = {
  nl: {
    title: 'Gem, digitale assistent',
    subtitle: 'Van de gemeente',
    close: 'Chat sluiten',
    new_conversation: 'Nieuw gesprek',
    other_language: 'English',
    transcript: 'Gesprek met Gem',
    input_label: 'Vraag aan Gem',
    input_hint: 'Enter verstuurt. Shift en Enter begint een nieuwe regel.',
    send: 'Verstuur',
    privacy: 'Wat hier getypt wordt, blijft op dit apparaat.',
    loading: 'Gem wordt geladen…',
    load_failed: 'Gem kon niet worden geladen. Controleer de internetverbinding en probeer het opnieuw.',
    retry_load: 'Opnieuw laden',
    error_internal: 'Er ging iets mis in Gem. Dat ligt niet aan de internetverbinding. Probeer het opnieuw of begin een nieuw gesprek.',
  },
  en: {
    title: 'Gem, digital assistant',
    subtitle: 'Of the municipality',
    close: 'Close chat',
    new_conversation: 'New conversation',
    other_language: 'Nederlands',
    transcript: 'Conversation with Gem',
    input_label: 'Question for Gem',
    input_hint: 'Enter sends. Shift and Enter starts a new line.',
    send: 'Send',
    privacy: 'What is typed here stays on this device.',
    loading: 'Loading Gem…',
    load_failed: 'Gem could not be loaded. Check the internet connection and try again.',
    retry_load: 'Load again',
    error_internal: 'Something went wrong inside Gem. It is not the internet connection. Please try again or start a new conversation.',
  },
};

export const beforeCore = (lang) => BEFORE_CORE[lang] ?? BEFORE_CORE.nl;
