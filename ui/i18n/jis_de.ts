<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>jis</name>
    <message>
        <source>ONLINE</source>
        <translation>ONLINE</translation>
    </message>
    <message>
        <source>OFFLINE</source>
        <translation>OFFLINE</translation>
    </message>
    <message>
        <source>LIGHTS</source>
        <translation>LEUCHTEN</translation>
    </message>
    <message>
        <source>PRINTER</source>
        <translation>DRUCKER</translation>
    </message>
    <message>
        <source>PICKING</source>
        <translation>ENTNAHME</translation>
    </message>
    <message>
        <source>WAITING</source>
        <translation>WARTET</translation>
    </message>
    <message>
        <source>BLOCKED</source>
        <translation>GESPERRT</translation>
    </message>
    <message>
        <source>HELD</source>
        <translation>ANGEHALTEN</translation>
    </message>
    <message>
        <source>PICKED</source>
        <translation>ENTNOMMEN</translation>
    </message>
    <message>
        <source>GAP</source>
        <translation>LÜCKE</translation>
    </message>
    <message>
        <source>WRONG PICK</source>
        <translation>FALSCHGRIFF</translation>
    </message>
    <message>
        <source>DEVICE OFFLINE</source>
        <translation>GERÄT GETRENNT</translation>
    </message>
    <message>
        <source>PRINTER FAULT</source>
        <translation>DRUCKERSTÖRUNG</translation>
    </message>
    <message>
        <source>LABEL UNCERTAIN</source>
        <translation>ETIKETT UNSICHER</translation>
    </message>
    <message>
        <source>LATE</source>
        <translation>VERSPÄTET</translation>
    </message>
    <message>
        <source>CHANGE AFTER SHIP</source>
        <translation>ÄNDERUNG NACH VERSAND</translation>
    </message>
    <message>
        <source>JOURNAL FAILED</source>
        <translation>JOURNAL AUSGEFALLEN</translation>
    </message>
    <message>
        <source>NOTICE REJECTED</source>
        <translation>AVIS ABGELEHNT</translation>
    </message>
    <message>
        <source>NOTICE UNANSWERED</source>
        <translation>AVIS UNBEANTWORTET</translation>
    </message>
    <message>
        <source>SILENCE</source>
        <translation>FUNKSTILLE</translation>
    </message>
    <message>
        <source>DISK SPACE CRITICAL</source>
        <translation>SPEICHERPLATZ KRITISCH</translation>
    </message>
    <message>
        <source>PICK TIMEOUT</source>
        <translation>ENTNAHMEZEIT ÜBERSCHRITTEN</translation>
    </message>
    <message>
        <source>UNRESOLVED</source>
        <translation>UNGEKLÄRT</translation>
    </message>
    <message>
        <source>LATE ALARM</source>
        <translation>VERZUGSALARM</translation>
    </message>
    <message>
        <source>RESEQUENCED</source>
        <translation>UMSEQUENZIERT</translation>
    </message>
    <message>
        <source>UNKNOWN FEED</source>
        <translation>UNBEKANNTER ABRUF</translation>
    </message>
    <message>
        <source>MALFORMED</source>
        <translation>FEHLERHAFT</translation>
    </message>
    <message>
        <source>UNAUTHORISED</source>
        <translation>NICHT BERECHTIGT</translation>
    </message>
    <message>
        <source>IMPLAUSIBLE</source>
        <translation>UNPLAUSIBEL</translation>
    </message>
    <message>
        <source>QUARANTINE FLOOD</source>
        <translation>QUARANTÄNE-FLUT</translation>
    </message>
    <message>
        <source>CHANGE</source>
        <translation>ÄNDERUNG</translation>
    </message>
    <message>
        <source>CANCEL</source>
        <translation>ABBRECHEN</translation>
    </message>
    <message>
        <source>LATE BROADCAST</source>
        <translation>SPÄTER ABRUF</translation>
    </message>
    <message>
        <source>RETURN TO STOCK</source>
        <translation>ZURÜCK INS LAGER</translation>
    </message>
    <message>
        <source>HOLD</source>
        <translation>HALT</translation>
    </message>
    <message>
        <source>DISK SPACE LOW</source>
        <translation>SPEICHERPLATZ KNAPP</translation>
    </message>
    <message>
        <source>CHATTERING</source>
        <translation>FLATTERN</translation>
    </message>
    <message>
        <source>LATE WARNING</source>
        <translation>VERZUGSWARNUNG</translation>
    </message>
    <message>
        <source>UNKNOWN OPTION</source>
        <translation>UNBEKANNTE OPTION</translation>
    </message>
    <message>
        <source>STALE CONFIRM</source>
        <translation>VERALTETE QUITTUNG</translation>
    </message>
    <message>
        <source>REPRINT</source>
        <translation>NACHDRUCK</translation>
    </message>
    <message>
        <source>MANUAL CONFIRM</source>
        <translation>HANDQUITTUNG</translation>
    </message>
    <message>
        <source>LINE TOO FAST</source>
        <translation>LINIE ZU SCHNELL</translation>
    </message>
    <message>
        <source>OEM LINE STOPPED</source>
        <translation>OEM-LINIE STEHT</translation>
    </message>
    <message>
        <source>WAITING FOR DATA</source>
        <translation>WARTE AUF DATEN</translation>
    </message>
    <message>
        <source>LIVE · rev {rev}</source>
        <translation>AKTUELL · Rev. {rev}</translation>
    </message>
    <message>
        <source>STALE · last data</source>
        <translation>VERALTET · letzte Daten</translation>
    </message>
    <message>
        <source>PICK</source>
        <translation>GREIFEN</translation>
    </message>
    <message>
        <source>LIGHT {light}</source>
        <translation>LEUCHTE {light}</translation>
    </message>
    <message>
        <source>line operator</source>
        <translation>Werker</translation>
    </message>
    <message>
        <source>shift lead</source>
        <translation>Schichtführer</translation>
    </message>
    <message>
        <source>engineer</source>
        <translation>Ingenieur</translation>
    </message>
    <message>
        <source>administrator</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <source>Operations are recorded in the audit log under your name.</source>
        <translation>Bedienungen werden unter Ihrem Namen im Prüfprotokoll festgehalten.</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Wird geprüft…</translation>
    </message>
    <message>
        <source>Wrong user name or password.</source>
        <translation>Falscher Benutzername oder falsches Passwort.</translation>
    </message>
    <message>
        <source>Unknown badge or wrong PIN.</source>
        <translation>Unbekannter Ausweis oder falsche PIN.</translation>
    </message>
    <message>
        <source>Too many failed logins: wait a while, then try again.</source>
        <translation>Zu viele Fehlversuche: bitte warten und erneut versuchen.</translation>
    </message>
    <message>
        <source>The service is busy with other logins: try again.</source>
        <translation>Der Dienst ist mit anderen Anmeldungen beschäftigt: erneut versuchen.</translation>
    </message>
    <message>
        <source>No answer from the service: try again.</source>
        <translation>Keine Antwort vom Dienst: erneut versuchen.</translation>
    </message>
    <message>
        <source>The service is not reachable.</source>
        <translation>Der Dienst ist nicht erreichbar.</translation>
    </message>
    <message>
        <source>The service did not accept this login.</source>
        <translation>Der Dienst hat diese Anmeldung nicht angenommen.</translation>
    </message>
    <message>
        <source>not logged in</source>
        <translation>nicht angemeldet</translation>
    </message>
    <message>
        <source>USER</source>
        <translation>BENUTZER</translation>
    </message>
    <message>
        <source>PASSWORD</source>
        <translation>PASSWORT</translation>
    </message>
    <message>
        <source>LOG IN</source>
        <translation>ANMELDEN</translation>
    </message>
    <message>
        <source>Enter your user name and password.</source>
        <translation>Benutzername und Passwort eingeben.</translation>
    </message>
    <message>
        <source>JIS operator — connecting to {endpoint}</source>
        <translation>JIS-Werkerplatz — verbinde mit {endpoint}</translation>
    </message>
    <message>
        <source>JIS operator — {plant} — {station}</source>
        <translation>JIS-Werkerplatz — {plant} — {station}</translation>
    </message>
    <message>
        <source>DONE · this panel now shows {station}</source>
        <translation>ERLEDIGT · dieses Terminal zeigt jetzt {station}</translation>
    </message>
    <message>
        <source>REFUSED · not moved to {station}</source>
        <translation>ABGELEHNT · nicht gewechselt zu {station}</translation>
    </message>
    <message>
        <source>no station</source>
        <translation>keine Station</translation>
    </message>
    <message>
        <source>BIN</source>
        <translation>FACH</translation>
    </message>
    <message>
        <source>QTY</source>
        <translation>MENGE</translation>
    </message>
    <message>
        <source>RACK</source>
        <translation>GESTELL</translation>
    </message>
    <message>
        <source>SLOT</source>
        <translation>PLATZ</translation>
    </message>
    <message>
        <source>VEHICLE</source>
        <translation>FAHRZEUG</translation>
    </message>
    <message>
        <source>SEQ</source>
        <translation>SEQ.</translation>
    </message>
    <message>
        <source>DUE</source>
        <translation>FÄLLIG</translation>
    </message>
    <message>
        <source>PART</source>
        <translation>TEIL</translation>
    </message>
    <message>
        <source>RACK/SLOT</source>
        <translation>GESTELL/PLATZ</translation>
    </message>
    <message>
        <source>PCE</source>
        <translation>STK</translation>
    </message>
    <message>
        <source>SET</source>
        <translation>SATZ</translation>
    </message>
    <message>
        <source>PR</source>
        <translation>PAAR</translation>
    </message>
    <message>
        <source>PICK NOW</source>
        <translation>JETZT GREIFEN</translation>
    </message>
    <message>
        <source>BINS</source>
        <translation>FÄCHER</translation>
    </message>
    <message>
        <source>NEXT VEHICLES</source>
        <translation>NÄCHSTE FAHRZEUGE</translation>
    </message>
    <message>
        <source>DEVIATIONS</source>
        <translation>ABWEICHUNGEN</translation>
    </message>
    <message>
        <source>No open deviations</source>
        <translation>Keine offenen Abweichungen</translation>
    </message>
    <message>
        <source>No stations in this plant</source>
        <translation>Keine Stationen in diesem Werk</translation>
    </message>
    <message>
        <source>No pick queued</source>
        <translation>Keine Entnahme anstehend</translation>
    </message>
    <message>
        <source>+ {count} more on the shift lead&apos;s screen</source>
        <translation>+ {count} weitere am Bildschirm des Schichtführers</translation>
    </message>
    <message>
        <source>This panel is locked to its station: a shift lead&apos;s login changes it.</source>
        <translation>Dieses Terminal ist an seine Station gebunden: Wechsel nur mit Anmeldung des Schichtführers.</translation>
    </message>
    <message>
        <source>CLEAR</source>
        <translation>LÖSCHEN</translation>
    </message>
    <message>
        <source>DONE</source>
        <translation>ERLEDIGT</translation>
    </message>
    <message>
        <source>REFUSED</source>
        <translation>ABGELEHNT</translation>
    </message>
    <message>
        <source>FORBIDDEN</source>
        <translation>NICHT ERLAUBT</translation>
    </message>
    <message>
        <source>REJECTED</source>
        <translation>ZURÜCKGEWIESEN</translation>
    </message>
    <message>
        <source>BUSY</source>
        <translation>BESCHÄFTIGT</translation>
    </message>
    <message>
        <source>SERVICE ERROR</source>
        <translation>DIENSTFEHLER</translation>
    </message>
    <message>
        <source>FAILED</source>
        <translation>FEHLGESCHLAGEN</translation>
    </message>
    <message>
        <source>SENT</source>
        <translation>GESENDET</translation>
    </message>
    <message>
        <source>ACK</source>
        <translation>QUITTIEREN</translation>
    </message>
    <message>
        <source>CONFIRM BY HAND</source>
        <translation>VON HAND BESTÄTIGEN</translation>
    </message>
    <message>
        <source>Log in to the operator panel</source>
        <translation>Am Werkerterminal anmelden</translation>
    </message>
    <message>
        <source>BADGE</source>
        <translation>AUSWEIS</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>USER AND PASSWORD</source>
        <translation>BENUTZER UND PASSWORT</translation>
    </message>
    <message>
        <source>BADGE AND PIN</source>
        <translation>AUSWEIS UND PIN</translation>
    </message>
    <message>
        <source>Hold your badge to the reader.</source>
        <translation>Ausweis an das Lesegerät halten.</translation>
    </message>
    <message>
        <source>Enter your PIN: 4 to 8 digits.</source>
        <translation>PIN eingeben: 4 bis 8 Ziffern.</translation>
    </message>
    <message>
        <source>LOG OUT</source>
        <translation>ABMELDEN</translation>
    </message>
    <message>
        <source>LOW STOCK</source>
        <translation>BESTAND NIEDRIG</translation>
    </message>
    <message>
        <source>STARVATION</source>
        <translation>ABRISS DROHT</translation>
    </message>
    <message>
        <source>LOW {stock} / {capacity}</source>
        <translation>NIEDRIG {stock} / {capacity}</translation>
    </message>
    <message>
        <source>{stock} / {capacity} left</source>
        <translation>noch {stock} / {capacity}</translation>
    </message>
    <message>
        <source>Stock covers the open vehicles</source>
        <translation>Bestand reicht für die offenen Fahrzeuge</translation>
    </message>
    <message>
        <source>Starves at {time} · bin {bin}</source>
        <translation>Abriss um {time} · Fach {bin}</translation>
    </message>
</context>
</TS>
