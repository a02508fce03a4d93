// The panel's own texts (the conversation's texts come from the content pack, through the core).
// Dutch texts use the content's tone alternation: {formal|informal}, the first part for municipalities
// that say 'u', the second for 'je'.
export const STRINGS = {
  nl: {
    title: 'Gem, digitale assistent',
    subtitleOf: (name) => `Gemeente ${name}`,
    subtitle: 'Van uw gemeente',
    close: 'Chat sluiten',
    newConversation: 'Nieuw gesprek',
    otherLang: 'English',
    otherLangCode: 'en',
    transcript: 'Gesprek met Gem',
    bot: 'Gem:',
    user: '{U|Jij}:',
    note: 'Melding:',
    inputLabel: '{Uw|Je} vraag',
    inputHint: 'Enter verstuurt. Shift en Enter begint een nieuwe regel.',
    send: 'Verstuur',
    privacy: 'Wat {u typt|je typt}, blijft op {uw|je} apparaat.',
    loading: 'Gem wordt geladen…',
    waiting: 'Gem is bijna klaar. {Uw|Je} vraag wordt beantwoord zodra Gem geladen is.',
    thinking: 'Gem denkt na…',
    loadFailed: 'Gem kon niet worden geladen. Controleer {uw|je} internetverbinding en probeer het opnieuw.',
    retryLoad: 'Opnieuw laden',
    notSent: 'Niet verstuurd.',
    retry: 'Opnieuw proberen',
    choices: 'Keuzes',
    choicesAnnounced: 'Keuzes',
    links: 'Meer informatie',
    external: '(andere website, opent in een nieuw tabblad)',
    readAloud: 'Lees voor',
    stopReading: 'Stop voorlezen',
    feedback: 'Heb ik {u|je} goed geholpen?',
    yes: 'Ja',
    no: 'Nee',
    thanks: 'Bedankt voor {uw|je} reactie.',
    handoverUnavailable: 'Doorverbinden met een medewerker kan via deze website nog niet. Zo bereikt {u|je} de gemeente:',
    liveNotConnected: 'Actuele gegevens kan ik op deze website nog niet opvragen. Gebruik de link bij dit antwoord.',
    offline: 'Er is geen internetverbinding. Gem werkt gewoon verder op dit apparaat; alleen actuele gegevens en een medewerker zijn nu niet bereikbaar.',
  },
  en: {
    title: 'Gem, digital assistant',
    subtitleOf: (name) => `Municipality of ${name}`,
    subtitle: 'Of your municipality',
    close: 'Close chat',
    newConversation: 'New conversation',
    otherLang: 'Nederlands',
    otherLangCode: 'nl',
    transcript: 'Conversation with Gem',
    bot: 'Gem:',
    user: 'You:',
    note: 'Notice:',
    inputLabel: 'Your question',
    inputHint: 'Enter sends. Shift and Enter starts a new line.',
    send: 'Send',
    privacy: 'What you type stays on your device.',
    loading: 'Loading Gem…',
    waiting: 'Gem is almost ready. Your question will be answered as soon as Gem has loaded.',
    thinking: 'Gem is thinking…',
    loadFailed: 'Gem could not be loaded. Check your internet connection and try again.',
    retryLoad: 'Load again',
    notSent: 'Not sent.',
    retry: 'Try again',
    choices: 'Choices',
    choicesAnnounced: 'Choices',
    links: 'More information',
    external: '(other website, opens in a new tab)',
    readAloud: 'Read aloud',
    stopReading: 'Stop reading',
    feedback: 'Was this helpful?',
    yes: 'Yes',
    no: 'No',
    thanks: 'Thank you for your feedback.',
    handoverUnavailable: 'Talking to a staff member is not yet possible through this website. This is how you reach the municipality:',
    liveNotConnected: 'I cannot look up live information on this website yet. Please use the link with this answer.',
    offline: 'There is no internet connection. Gem keeps working on this device; only live information and staff members cannot be reached now.',
  },
};

// The formal or informal part of each {formal|informal} alternation.
export function withTone(text, tone) {
  return String(text).replace(/\{([^{}|]*)\|([^{}|]*)\}/g, (_, formal, informal) => (tone === 'je' ? informal : formal));
}

// A string table for one language and tone: t('inputLabel').
export function strings(lang, tone) {
  const table = STRINGS[lang] ?? STRINGS.nl;
  return (key, ...args) => {
    const value = table[key];
    return typeof value === 'function' ? value(...args) : withTone(value ?? key, tone);
  };
}
