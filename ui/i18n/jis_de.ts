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
        <source>SERIAL REPEATED</source>
        <translation>SERIENNUMMER DOPPELT</translation>
    </message>
    <message>
        <source>SCAN UNREADABLE</source>
        <translation>SCAN UNLESBAR</translation>
    </message>
    <message>
        <source>SCAN NEEDED</source>
        <translation>SCAN NÖTIG</translation>
    </message>
    <message>
        <source>OPERATION</source>
        <translation>BEDIENUNG</translation>
    </message>
    <message>
        <source>TARGET</source>
        <translation>ZIEL</translation>
    </message>
    <message>
        <source>RESULT</source>
        <translation>ERGEBNIS</translation>
    </message>
    <message>
        <source>ANSWER</source>
        <translation>ANTWORT</translation>
    </message>
    <message>
        <source>Feed</source>
        <translation>Abruf</translation>
    </message>
    <message>
        <source>Sequence no.</source>
        <translation>Sequenz-Nr.</translation>
    </message>
    <message>
        <source>HOLD</source>
        <translation>HALT</translation>
    </message>
    <message>
        <source>Hold a vehicle</source>
        <translation>Fahrzeug anhalten</translation>
    </message>
    <message>
        <source>Its picks wait until it is released.</source>
        <translation>Seine Entnahmen warten, bis es freigegeben wird.</translation>
    </message>
    <message>
        <source>RELEASE</source>
        <translation>FREIGEBEN</translation>
    </message>
    <message>
        <source>Release a held vehicle</source>
        <translation>Angehaltenes Fahrzeug freigeben</translation>
    </message>
    <message>
        <source>Its picks return to the sequence.</source>
        <translation>Seine Entnahmen kehren in die Sequenz zurück.</translation>
    </message>
    <message>
        <source>CANCEL VEHICLE</source>
        <translation>FAHRZEUG STORNIEREN</translation>
    </message>
    <message>
        <source>Cancel a vehicle</source>
        <translation>Fahrzeug stornieren</translation>
    </message>
    <message>
        <source>Picked parts go back to stock.</source>
        <translation>Entnommene Teile gehen zurück ins Lager.</translation>
    </message>
    <message>
        <source>MOVE</source>
        <translation>VERSCHIEBEN</translation>
    </message>
    <message>
        <source>Move a vehicle</source>
        <translation>Fahrzeug verschieben</translation>
    </message>
    <message>
        <source>To a free place in the sequence (after a repair loop).</source>
        <translation>Auf einen freien Platz in der Sequenz (nach einer Nacharbeitsschleife).</translation>
    </message>
    <message>
        <source>To sequence no.</source>
        <translation>Nach Sequenz-Nr.</translation>
    </message>
    <message>
        <source>SWAP</source>
        <translation>TAUSCHEN</translation>
    </message>
    <message>
        <source>Reorder two vehicles</source>
        <translation>Zwei Fahrzeuge umreihen</translation>
    </message>
    <message>
        <source>Two vehicles not yet picked exchange places.</source>
        <translation>Zwei noch nicht entnommene Fahrzeuge tauschen die Plätze.</translation>
    </message>
    <message>
        <source>With sequence no.</source>
        <translation>Mit Sequenz-Nr.</translation>
    </message>
    <message>
        <source>INSERT</source>
        <translation>EINFÜGEN</translation>
    </message>
    <message>
        <source>Insert a broadcast by hand</source>
        <translation>Abrufmeldung von Hand einfügen</translation>
    </message>
    <message>
        <source>Emergency mode: key in a vehicle while the feed is down.</source>
        <translation>Notbetrieb: Fahrzeug eintippen, solange der Abruf ausgefallen ist.</translation>
    </message>
    <message>
        <source>Vehicle id (VIN)</source>
        <translation>Fahrzeug-ID (VIN)</translation>
    </message>
    <message>
        <source>Option codes</source>
        <translation>Ausstattungscodes</translation>
    </message>
    <message>
        <source>Parts (family=part)</source>
        <translation>Teile (Familie=Teil)</translation>
    </message>
    <message>
        <source>REQUEST RESEND</source>
        <translation>NEU ANFORDERN</translation>
    </message>
    <message>
        <source>Request a resend</source>
        <translation>Erneutes Senden anfordern</translation>
    </message>
    <message>
        <source>Ask the OEM to send a range again.</source>
        <translation>Den OEM bitten, einen Bereich erneut zu senden.</translation>
    </message>
    <message>
        <source>From sequence no.</source>
        <translation>Von Sequenz-Nr.</translation>
    </message>
    <message>
        <source>Reprint a label</source>
        <translation>Etikett nachdrucken</translation>
    </message>
    <message>
        <source>Part label P&lt;pick&gt;, rack label R-&lt;feed&gt;-&lt;family&gt;-&lt;rack&gt;.</source>
        <translation>Teileetikett P&lt;Entnahme&gt;, Gestelletikett R-&lt;Abruf&gt;-&lt;Familie&gt;-&lt;Gestell&gt;.</translation>
    </message>
    <message>
        <source>Label id</source>
        <translation>Etikett-ID</translation>
    </message>
    <message>
        <source>label {id}</source>
        <translation>Etikett {id}</translation>
    </message>
    <message>
        <source>Confirm the lit pick by hand</source>
        <translation>Leuchtende Entnahme von Hand bestätigen</translation>
    </message>
    <message>
        <source>When a station&apos;s light has failed.</source>
        <translation>Wenn die Leuchte einer Station ausgefallen ist.</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>Station</translation>
    </message>
    <message>
        <source>station {id}</source>
        <translation>Station {id}</translation>
    </message>
    <message>
        <source>SHIP RACK</source>
        <translation>GESTELL VERSENDEN</translation>
    </message>
    <message>
        <source>Ship a rack by hand</source>
        <translation>Gestell von Hand versenden</translation>
    </message>
    <message>
        <source>When the dock scanner is down.</source>
        <translation>Wenn der Scanner am Versandtor ausgefallen ist.</translation>
    </message>
    <message>
        <source>Family</source>
        <translation>Familie</translation>
    </message>
    <message>
        <source>Rack no.</source>
        <translation>Gestell-Nr.</translation>
    </message>
    <message>
        <source>{feed} {family} rack {rack}</source>
        <translation>{feed} {family} Gestell {rack}</translation>
    </message>
    <message>
        <source>SET STOCK</source>
        <translation>BESTAND SETZEN</translation>
    </message>
    <message>
        <source>Set a bin&apos;s stock</source>
        <translation>Bestand eines Fachs setzen</translation>
    </message>
    <message>
        <source>After counting or filling it (docs/stock.md).</source>
        <translation>Nach dem Zählen oder Befüllen (docs/stock.md).</translation>
    </message>
    <message>
        <source>Bin</source>
        <translation>Fach</translation>
    </message>
    <message>
        <source>Parts in it</source>
        <translation>Teile darin</translation>
    </message>
    <message>
        <source>bin {bin} = {qty}</source>
        <translation>Fach {bin} = {qty}</translation>
    </message>
    <message>
        <source>SET OEM LINE</source>
        <translation>OEM-LINIE SETZEN</translation>
    </message>
    <message>
        <source>The OEM&apos;s line stopped or runs</source>
        <translation>Die Linie des OEM steht oder läuft</translation>
    </message>
    <message>
        <source>While it stands, due times wait.</source>
        <translation>Solange sie steht, warten die Fälligkeiten.</translation>
    </message>
    <message>
        <source>OEM line</source>
        <translation>OEM-Linie</translation>
    </message>
    <message>
        <source>{feed} line {state}</source>
        <translation>{feed} Linie {state}</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>steht</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>MANUAL OPERATIONS</source>
        <translation>HANDBEDIENUNGEN</translation>
    </message>
    <message>
        <source>OPERATIONS SENT FROM THIS COCKPIT</source>
        <translation>VON DIESEM LEITSTAND GESENDETE BEDIENUNGEN</translation>
    </message>
    <message>
        <source>{part} at {bin}</source>
        <translation>{part} in {bin}</translation>
    </message>
    <message>
        <source> (vehicle {vehicle}: {picks})</source>
        <translation> (Fahrzeug {vehicle}: {picks})</translation>
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
        <source>Waiting for the line…</source>
        <translation>Warte auf die Linie…</translation>
    </message>
    <message>
        <source>LOG IN</source>
        <translation>ANMELDEN</translation>
    </message>
    <message>
        <source>{n} UNACK</source>
        <translation>{n} UNQUITT.</translation>
    </message>
    <message>
        <source>all acknowledged</source>
        <translation>alle quittiert</translation>
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
        <source>DELIVERY NOTE</source>
        <translation>LIEFERSCHEIN</translation>
    </message>
    <message>
        <source>VERSION</source>
        <translation>VERSION</translation>
    </message>
    <message>
        <source>OEM&apos;S REASON</source>
        <translation>GRUND DES OEM</translation>
    </message>
    <message>
        <source>SHIPPED</source>
        <translation>VERSENDET</translation>
    </message>
    <message>
        <source>VERSION ASKED FOR</source>
        <translation>VERSION ANGEFORDERT</translation>
    </message>
    <message>
        <source>sending</source>
        <translation>wird gesendet</translation>
    </message>
    <message>
        <source>NO ANSWER: past time-out</source>
        <translation>KEINE ANTWORT: Frist überschritten</translation>
    </message>
    <message>
        <source>sent, awaiting answer</source>
        <translation>gesendet, Antwort ausstehend</translation>
    </message>
    <message>
        <source>acknowledged</source>
        <translation>bestätigt</translation>
    </message>
    <message>
        <source>original</source>
        <translation>Original</translation>
    </message>
    <message>
        <source>replaced</source>
        <translation>ersetzt</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>storniert</translation>
    </message>
    <message>
        <source>SHIP NOTICES</source>
        <translation>LIEFERAVISE</translation>
    </message>
    <message>
        <source>SEND AGAIN…</source>
        <translation>ERNEUT SENDEN…</translation>
    </message>
    <message>
        <source>A rejected notice once its cause is fixed, or one unanswered past the time-out: the OEM gets a new version.</source>
        <translation>Ein abgelehntes Avis, sobald die Ursache behoben ist, oder eines ohne Antwort nach Fristablauf: der OEM erhält eine neue Version.</translation>
    </message>
    <message>
        <source>priority {priority}</source>
        <translation>Priorität {priority}</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>abgelehnt</translation>
    </message>
    <message>
        <source>unanswered</source>
        <translation>unbeantwortet</translation>
    </message>
    <message>
        <source>ship notice {id} v{version} ({what})</source>
        <translation>Lieferavis {id} v{version} ({what})</translation>
    </message>
    <message>
        <source>Send the ship notice again as a new version, with the same contents.</source>
        <translation>Das Lieferavis als neue Version mit gleichem Inhalt erneut senden.</translation>
    </message>
    <message>
        <source>SEND AGAIN</source>
        <translation>ERNEUT SENDEN</translation>
    </message>
    <message>
        <source>This shift, as the OEM counts it: {racks} racks shipped, on time in full {otif} · out of sequence shipped {ppm} ppm of {parts} parts · notices acknowledged {acknowledged}, rejected {rejected}, unanswered {unanswered}</source>
        <translation>Diese Schicht, wie der OEM zählt: {racks} Gestelle versendet, pünktlich und vollständig {otif} · außer Sequenz versendet {ppm} ppm von {parts} Teilen · Avise bestätigt {acknowledged}, abgelehnt {rejected}, unbeantwortet {unanswered}</translation>
    </message>
    <message>
        <source>no rack shipped with a notice</source>
        <translation>kein Gestell mit Avis versendet</translation>
    </message>
    <message>
        <source>awaiting an answer</source>
        <translation>Antwort ausstehend</translation>
    </message>
    <message>
        <source>past the time-out</source>
        <translation>Frist überschritten</translation>
    </message>
    <message>
        <source>{n} kept</source>
        <translation>{n} vorgehalten</translation>
    </message>
    <message>
        <source>VIN</source>
        <translation>VIN</translation>
    </message>
    <message>
        <source>SERIAL</source>
        <translation>SERIENNR.</translation>
    </message>
    <message>
        <source>BATCH</source>
        <translation>CHARGE</translation>
    </message>
    <message>
        <source>SCANNED</source>
        <translation>GESCANNT</translation>
    </message>
    <message>
        <source>SLOT</source>
        <translation>PLATZ</translation>
    </message>
    <message>
        <source>TRACE</source>
        <translation>RÜCKVERFOLGUNG</translation>
    </message>
    <message>
        <source>VIN, serial or batch as scanned</source>
        <translation>VIN, Seriennummer oder Charge wie gescannt</translation>
    </message>
    <message>
        <source>FIND</source>
        <translation>SUCHEN</translation>
    </message>
    <message>
        <source>type a VIN, serial or batch</source>
        <translation>VIN, Seriennummer oder Charge eingeben</translation>
    </message>
    <message>
        <source>LOG IN to ask</source>
        <translation>ANMELDEN, um zu fragen</translation>
    </message>
    <message>
        <source>asking: {key} {value}</source>
        <translation>frage: {key} {value}</translation>
    </message>
    <message>
        <source>NOT ANSWERED — {error}</source>
        <translation>NICHT BEANTWORTET — {error}</translation>
    </message>
    <message>
        <source> (more: ask by vehicle)</source>
        <translation> (mehr: nach Fahrzeug fragen)</translation>
    </message>
    <message>
        <source>{target}: {n} part(s) traced</source>
        <translation>{target}: {n} Teil(e) verfolgt</translation>
    </message>
    <message>
        <source>CLOSED {time}</source>
        <translation>GESCHLOSSEN {time}</translation>
    </message>
    <message>
        <source>{state} until {time}</source>
        <translation>{state} bis {time}</translation>
    </message>
    <message>
        <source>RAISED</source>
        <translation>AUSGELÖST</translation>
    </message>
    <message>
        <source>STATE</source>
        <translation>ZUSTAND</translation>
    </message>
    <message>
        <source>KIND</source>
        <translation>ART</translation>
    </message>
    <message>
        <source>FEED</source>
        <translation>ABRUF</translation>
    </message>
    <message>
        <source>VEHICLE</source>
        <translation>FAHRZEUG</translation>
    </message>
    <message>
        <source>STATION / DEVICE</source>
        <translation>STATION / GERÄT</translation>
    </message>
    <message>
        <source>MESSAGE</source>
        <translation>MELDUNG</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Offen</translation>
    </message>
    <message>
        <source>Unacknowledged</source>
        <translation>Unquittiert</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>Quittiert</translation>
    </message>
    <message>
        <source>Shelved</source>
        <translation>Zurückgestellt</translation>
    </message>
    <message>
        <source>Suppressed</source>
        <translation>Unterdrückt</translation>
    </message>
    <message>
        <source>Out of service</source>
        <translation>Außer Betrieb</translation>
    </message>
    <message>
        <source>Closed this shift</source>
        <translation>In dieser Schicht geschlossen</translation>
    </message>
    <message>
        <source>All this shift</source>
        <translation>Alle dieser Schicht</translation>
    </message>
    <message>
        <source>All kinds</source>
        <translation>Alle Arten</translation>
    </message>
    <message>
        <source>All feeds, stations, devices</source>
        <translation>Alle Abrufe, Stationen, Geräte</translation>
    </message>
    <message>
        <source>ACKNOWLEDGE</source>
        <translation>QUITTIEREN</translation>
    </message>
    <message>
        <source>Acknowledge: you have seen these alarms.</source>
        <translation>Quittieren: Sie haben diese Alarme gesehen.</translation>
    </message>
    <message>
        <source>SHELVE</source>
        <translation>ZURÜCKSTELLEN</translation>
    </message>
    <message>
        <source>Shelve: hide these alarms for a limited time; they return when the time is up.</source>
        <translation>Zurückstellen: diese Alarme für begrenzte Zeit ausblenden; nach Ablauf kommen sie wieder.</translation>
    </message>
    <message>
        <source>SUPPRESS</source>
        <translation>UNTERDRÜCKEN</translation>
    </message>
    <message>
        <source>Suppress by design: these alarms mean nothing while the plant is as it is now (a station shut down for the shift). They stay listed under Suppressed, never blink and are not notified until someone unsuppresses them.</source>
        <translation>Planmäßig unterdrücken: diese Alarme bedeuten nichts, solange die Anlage so ist wie jetzt (eine Station für die Schicht abgeschaltet). Sie bleiben unter Unterdrückt gelistet, blinken nie und werden nicht gemeldet, bis jemand die Unterdrückung aufhebt.</translation>
    </message>
    <message>
        <source>UNSUPPRESS</source>
        <translation>UNTERDRÜCKUNG AUFHEBEN</translation>
    </message>
    <message>
        <source>Unsuppress: these alarms are annunciated again, unacknowledged if their cause is still there.</source>
        <translation>Unterdrückung aufheben: diese Alarme werden wieder gemeldet, unquittiert, wenn ihre Ursache noch besteht.</translation>
    </message>
    <message>
        <source>OUT OF SERVICE</source>
        <translation>AUSSER BETRIEB</translation>
    </message>
    <message>
        <source>Take out of service: the device or link is under maintenance. The alarms stay listed under Out of service, never blink and are not notified until someone returns them to service.</source>
        <translation>Außer Betrieb nehmen: das Gerät oder die Verbindung ist in Wartung. Die Alarme bleiben unter Außer Betrieb gelistet, blinken nie und werden nicht gemeldet, bis jemand sie wieder in Betrieb nimmt.</translation>
    </message>
    <message>
        <source>RETURN TO SERVICE</source>
        <translation>WIEDER IN BETRIEB</translation>
    </message>
    <message>
        <source>Return to service: these alarms are annunciated again, unacknowledged if their cause is still there.</source>
        <translation>Wieder in Betrieb: diese Alarme werden wieder gemeldet, unquittiert, wenn ihre Ursache noch besteht.</translation>
    </message>
    <message>
        <source>RESOLVE</source>
        <translation>BEHEBEN</translation>
    </message>
    <message>
        <source>Resolve: the cause is fixed. Say what was done.</source>
        <translation>Beheben: die Ursache ist beseitigt. Sagen Sie, was getan wurde.</translation>
    </message>
    <message>
        <source>DEVIATIONS AND ALARMS</source>
        <translation>ABWEICHUNGEN UND ALARME</translation>
    </message>
    <message>
        <source>Search message, vehicle, sequence no.</source>
        <translation>Meldung, Fahrzeug, Sequenz-Nr. suchen</translation>
    </message>
    <message>
        <source>MORE ▾</source>
        <translation>MEHR ▾</translation>
    </message>
    <message>
        <source>Suppress, unsuppress, take out of service, return to service</source>
        <translation>Unterdrücken, Unterdrückung aufheben, außer Betrieb nehmen, wieder in Betrieb nehmen</translation>
    </message>
    <message>
        <source>{shown} shown of {all} this shift</source>
        <translation>{shown} angezeigt von {all} dieser Schicht</translation>
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
        <source>min</source>
        <translation>min</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>NAME</translation>
    </message>
    <message>
        <source>LAST SEQ</source>
        <translation>LETZTE SEQ.</translation>
    </message>
    <message>
        <source>LAST BROADCAST</source>
        <translation>LETZTE MELDUNG</translation>
    </message>
    <message>
        <source>SILENT FOR</source>
        <translation>STILL SEIT</translation>
    </message>
    <message>
        <source>BROADCASTS</source>
        <translation>MELDUNGEN</translation>
    </message>
    <message>
        <source>GAPS</source>
        <translation>LÜCKEN</translation>
    </message>
    <message>
        <source>DUPLICATES</source>
        <translation>DOPPELTE</translation>
    </message>
    <message>
        <source>STATION</source>
        <translation>STATION</translation>
    </message>
    <message>
        <source>NOW</source>
        <translation>JETZT</translation>
    </message>
    <message>
        <source>PART</source>
        <translation>TEIL</translation>
    </message>
    <message>
        <source>QUEUE</source>
        <translation>WARTESCHLANGE</translation>
    </message>
    <message>
        <source>NEXT DUE</source>
        <translation>NÄCHSTE FÄLLIG</translation>
    </message>
    <message>
        <source>DEVICES</source>
        <translation>GERÄTE</translation>
    </message>
    <message>
        <source>STARVES</source>
        <translation>ABRISS</translation>
    </message>
    <message>
        <source>FAMILY</source>
        <translation>FAMILIE</translation>
    </message>
    <message>
        <source>FILLED</source>
        <translation>BELEGT</translation>
    </message>
    <message>
        <source>SEQ RANGE</source>
        <translation>SEQ.-BEREICH</translation>
    </message>
    <message>
        <source>DEVICE</source>
        <translation>GERÄT</translation>
    </message>
    <message>
        <source>DETAIL</source>
        <translation>DETAIL</translation>
    </message>
    <message>
        <source>Hold vehicle {seq}…</source>
        <translation>Fahrzeug {seq} anhalten…</translation>
    </message>
    <message>
        <source>Release vehicle {seq}…</source>
        <translation>Fahrzeug {seq} freigeben…</translation>
    </message>
    <message>
        <source>Cancel vehicle {seq}…</source>
        <translation>Fahrzeug {seq} stornieren…</translation>
    </message>
    <message>
        <source>Confirm by hand at {station}…</source>
        <translation>Von Hand bestätigen an {station}…</translation>
    </message>
    <message>
        <source>{feed} · OEM line STOPPED since {time}</source>
        <translation>{feed} · OEM-Linie STEHT seit {time}</translation>
    </message>
    <message>
        <source>{feed} · OEM line {rate}/h</source>
        <translation>{feed} · OEM-Linie {rate}/h</translation>
    </message>
    <message>
        <source>FEEDS</source>
        <translation>ABRUFE</translation>
    </message>
    <message>
        <source>STATIONS</source>
        <translation>STATIONEN</translation>
    </message>
    <message>
        <source>OPEN RACKS</source>
        <translation>OFFENE GESTELLE</translation>
    </message>
    <message>
        <source>BUFFER AGAINST DUE TIME</source>
        <translation>PUFFER ZUR FÄLLIGKEIT</translation>
    </message>
    <message>
        <source>minutes until due</source>
        <translation>Minuten bis fällig</translation>
    </message>
    <message>
        <source>buffer</source>
        <translation>Puffer</translation>
    </message>
    <message>
        <source>no open vehicles</source>
        <translation>keine offenen Fahrzeuge</translation>
    </message>
    <message>
        <source>IDLE</source>
        <translation>FREI</translation>
    </message>
    <message>
        <source>{count} open, worst priority {priority}</source>
        <translation>{count} offen, höchste Priorität {priority}</translation>
    </message>
    <message>
        <source>buffer: earliest open vehicle&apos;s due time · target ≥ {minutes} min</source>
        <translation>Puffer: Fälligkeit des frühesten offenen Fahrzeugs · Ziel ≥ {minutes} min</translation>
    </message>
    <message>
        <source>online</source>
        <translation>online</translation>
    </message>
    <message>
        <source>covered</source>
        <translation>gedeckt</translation>
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
        <source>SCAN THE PART</source>
        <translation>TEIL SCANNEN</translation>
    </message>
    <message>
        <source>PRESS THE BIN</source>
        <translation>FACH DRÜCKEN</translation>
    </message>
    <message>
        <source>SCAN THE PART, PRESS THE BIN</source>
        <translation>TEIL SCANNEN, FACH DRÜCKEN</translation>
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
        <source>NOT LOGGED IN</source>
        <translation>NICHT ANGEMELDET</translation>
    </message>
    <message>
        <source>NO ANSWER</source>
        <translation>KEINE ANTWORT</translation>
    </message>
    <message>
        <source>UNREACHABLE</source>
        <translation>NICHT ERREICHBAR</translation>
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
        <source>Confirm {verb}</source>
        <translation>Bestätigen: {verb}</translation>
    </message>
    <message>
        <source>for {minutes} min</source>
        <translation>für {minutes} min</translation>
    </message>
    <message>
        <source>SHELVE FOR</source>
        <translation>ZURÜCKSTELLEN FÜR</translation>
    </message>
    <message>
        <source>REASON</source>
        <translation>GRUND</translation>
    </message>
    <message>
        <source>NOTE (optional)</source>
        <translation>NOTIZ (freiwillig)</translation>
    </message>
    <message>
        <source>Recorded in the audit log as {who}.</source>
        <translation>Im Prüfprotokoll festgehalten als {who}.</translation>
    </message>
    <message>
        <source>GO BACK</source>
        <translation>ZURÜCK</translation>
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
        <source>SCAN</source>
        <translation>SCAN</translation>
    </message>
    <message>
        <source>NOT SENT · SCAN {code} — {why}</source>
        <translation>NICHT GESENDET · SCAN {code} — {why}</translation>
    </message>
    <message>
        <source>no picture of the station</source>
        <translation>kein Bild der Station</translation>
    </message>
    <message>
        <source>COMM</source>
        <translation>COMM</translation>
    </message>
    <message>
        <source>wait for the answer</source>
        <translation>auf die Antwort warten</translation>
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
    <message>
        <source>QUARANTINE #</source>
        <translation>QUARANTÄNE-NR.</translation>
    </message>
    <message>
        <source>RECEIVED</source>
        <translation>EMPFANGEN</translation>
    </message>
    <message>
        <source>QUARANTINED MESSAGES</source>
        <translation>NACHRICHTEN IN QUARANTÄNE</translation>
    </message>
    <message>
        <source>Re-processing reads the stored message again, as if it had just arrived.</source>
        <translation>Neu verarbeiten liest die gespeicherte Nachricht erneut, als wäre sie gerade eingetroffen.</translation>
    </message>
    <message>
        <source>REPROCESS…</source>
        <translation>NEU VERARBEITEN…</translation>
    </message>
    <message>
        <source>DISCARD…</source>
        <translation>VERWERFEN…</translation>
    </message>
    <message>
        <source>DISCARDED / RE-PROCESSED</source>
        <translation>VERWORFEN / NEU VERARBEITET</translation>
    </message>
    <message>
        <source>{n} held by the service</source>
        <translation>{n} beim Dienst festgehalten</translation>
    </message>
    <message>
        <source>quarantine #{id} ({reason})</source>
        <translation>Quarantäne Nr. {id} ({reason})</translation>
    </message>
    <message>
        <source>Re-process a quarantined message after its cause was fixed.</source>
        <translation>Eine Nachricht aus der Quarantäne neu verarbeiten, nachdem ihre Ursache behoben wurde.</translation>
    </message>
    <message>
        <source>REPROCESS</source>
        <translation>NEU VERARBEITEN</translation>
    </message>
    <message>
        <source>Discard: resolve the deviation; the message stays in quarantine.</source>
        <translation>Verwerfen: die Abweichung beheben; die Nachricht bleibt in Quarantäne.</translation>
    </message>
    <message>
        <source>DISCARD</source>
        <translation>VERWERFEN</translation>
    </message>
    <message>
        <source>Between shifts {start}</source>
        <translation>Zwischen den Schichten {start}</translation>
    </message>
    <message>
        <source>{name} shift {start}–{end}</source>
        <translation>Schicht {name} {start}–{end}</translation>
    </message>
    <message>
        <source>On time</source>
        <translation>Pünktlich</translation>
    </message>
    <message>
        <source>Picks / h</source>
        <translation>Entnahmen / h</translation>
    </message>
    <message>
        <source>/h</source>
        <translation>/h</translation>
    </message>
    <message>
        <source>Takt picks / h</source>
        <translation>Takt-Entnahmen / h</translation>
    </message>
    <message>
        <source>Buffer</source>
        <translation>Puffer</translation>
    </message>
    <message>
        <source>Broadcasts / h</source>
        <translation>Meldungen / h</translation>
    </message>
    <message>
        <source>Feed silent for</source>
        <translation>Abruf still seit</translation>
    </message>
    <message>
        <source>Pick accuracy</source>
        <translation>Entnahmegenauigkeit</translation>
    </message>
    <message>
        <source>Wrong picks caught</source>
        <translation>Abgefangene Falschgriffe</translation>
    </message>
    <message>
        <source>ppm</source>
        <translation>ppm</translation>
    </message>
    <message>
        <source>Open deviations</source>
        <translation>Offene Abweichungen</translation>
    </message>
    <message>
        <source>Time to resolve</source>
        <translation>Zeit bis Behebung</translation>
    </message>
    <message>
        <source>Vehicles completed</source>
        <translation>Fahrzeuge fertig</translation>
    </message>
    <message>
        <source>Racks shipped</source>
        <translation>Gestelle versendet</translation>
    </message>
    <message>
        <source>Vehicles broadcast</source>
        <translation>Fahrzeuge abgerufen</translation>
    </message>
    <message>
        <source>Labels printed</source>
        <translation>Etiketten gedruckt</translation>
    </message>
    <message>
        <source>Quarantined</source>
        <translation>In Quarantäne</translation>
    </message>
    <message>
        <source>Unacked closed</source>
        <translation>Unquittiert geschlossen</translation>
    </message>
    <message>
        <source>UNACK</source>
        <translation>UNQUITT.</translation>
    </message>
    <message>
        <source>ACKED</source>
        <translation>QUITTIERT</translation>
    </message>
    <message>
        <source>RTN UNACK</source>
        <translation>ZURÜCK UNQUITT.</translation>
    </message>
    <message>
        <source>SHELVED</source>
        <translation>ZURÜCKGESTELLT</translation>
    </message>
    <message>
        <source>SUPPRESSED</source>
        <translation>UNTERDRÜCKT</translation>
    </message>
    <message>
        <source>NORMAL</source>
        <translation>NORMAL</translation>
    </message>
    <message>
        <source>CLOSED</source>
        <translation>GESCHLOSSEN</translation>
    </message>
    <message>
        <source>BROADCASTS PER HOUR</source>
        <translation>MELDUNGEN PRO STUNDE</translation>
    </message>
    <message>
        <source>PICKS PER HOUR</source>
        <translation>ENTNAHMEN PRO STUNDE</translation>
    </message>
    <message>
        <source>takt</source>
        <translation>Takt</translation>
    </message>
    <message>
        <source>BUFFER</source>
        <translation>PUFFER</translation>
    </message>
    <message>
        <source>floor</source>
        <translation>Untergrenze</translation>
    </message>
    <message>
        <source>ON-TIME RATE</source>
        <translation>PÜNKTLICHKEIT</translation>
    </message>
    <message>
        <source>target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>SHIFT KPIS</source>
        <translation>SCHICHT-KENNZAHLEN</translation>
    </message>
    <message>
        <source>OFF TARGET</source>
        <translation>ZIEL VERFEHLT</translation>
    </message>
    <message>
        <source>Deviations and alarms</source>
        <translation>Abweichungen und Alarme</translation>
    </message>
    <message>
        <source>Manual operations</source>
        <translation>Handbedienungen</translation>
    </message>
    <message>
        <source>Trends and KPIs</source>
        <translation>Verläufe und Kennzahlen</translation>
    </message>
    <message>
        <source>Quarantine</source>
        <translation>Quarantäne</translation>
    </message>
    <message>
        <source>Ship notices</source>
        <translation>Lieferavise</translation>
    </message>
    <message>
        <source>Trace (serials, batches)</source>
        <translation>Rückverfolgung (Seriennummern, Chargen)</translation>
    </message>
    <message>
        <source>JIS shift lead — connecting</source>
        <translation>JIS-Schichtführer — verbinde</translation>
    </message>
    <message>
        <source>Log in to the cockpit</source>
        <translation>Am Leitstand anmelden</translation>
    </message>
    <message>
        <source>Header</source>
        <translation>Kopfzeile</translation>
    </message>
    <message>
        <source>&amp;Session</source>
        <translation>&amp;Sitzung</translation>
    </message>
    <message>
        <source>Log in…</source>
        <translation>Anmelden…</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>Abmelden</translation>
    </message>
    <message>
        <source>S&amp;hift</source>
        <translation>Sc&amp;hicht</translation>
    </message>
    <message>
        <source>Export shift report…</source>
        <translation>Schichtbericht exportieren…</translation>
    </message>
    <message>
        <source>&amp;Alarms</source>
        <translation>&amp;Alarme</translation>
    </message>
    <message>
        <source>Acknowledge selected</source>
        <translation>Ausgewählte quittieren</translation>
    </message>
    <message>
        <source>Shelve selected…</source>
        <translation>Ausgewählte zurückstellen…</translation>
    </message>
    <message>
        <source>Suppress selected…</source>
        <translation>Ausgewählte unterdrücken…</translation>
    </message>
    <message>
        <source>Unsuppress selected…</source>
        <translation>Unterdrückung der ausgewählten aufheben…</translation>
    </message>
    <message>
        <source>Take selected out of service…</source>
        <translation>Ausgewählte außer Betrieb nehmen…</translation>
    </message>
    <message>
        <source>Return selected to service…</source>
        <translation>Ausgewählte wieder in Betrieb nehmen…</translation>
    </message>
    <message>
        <source>Resolve selected…</source>
        <translation>Ausgewählte beheben…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>A&amp;nsicht</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>Larger text</source>
        <translation>Größere Schrift</translation>
    </message>
    <message>
        <source>Smaller text</source>
        <translation>Kleinere Schrift</translation>
    </message>
    <message>
        <source>Normal text size</source>
        <translation>Normale Schriftgröße</translation>
    </message>
    <message>
        <source>Reset layout</source>
        <translation>Anordnung zurücksetzen</translation>
    </message>
    <message>
        <source>JIS shift lead — {plant}</source>
        <translation>JIS-Schichtführer — {plant}</translation>
    </message>
    <message>
        <source>Export the shift report to a folder</source>
        <translation>Schichtbericht in einen Ordner exportieren</translation>
    </message>
    <message>
        <source>Nothing to export yet: no data from the line.</source>
        <translation>Noch nichts zu exportieren: keine Daten von der Linie.</translation>
    </message>
    <message>
        <source>Report written: {name}</source>
        <translation>Bericht geschrieben: {name}</translation>
    </message>
    <message>
        <source>Export failed: {why}</source>
        <translation>Export fehlgeschlagen: {why}</translation>
    </message>
    <message>
        <source>PAPER OUT</source>
        <translation>PAPIERENDE</translation>
    </message>
    <message>
        <source>RIBBON OUT</source>
        <translation>FARBBAND LEER</translation>
    </message>
    <message>
        <source>RIBBON LOW</source>
        <translation>FARBBAND FAST LEER</translation>
    </message>
    <message>
        <source>HEAD OPEN</source>
        <translation>KOPF OFFEN</translation>
    </message>
    <message>
        <source>PAUSED</source>
        <translation>PAUSIERT</translation>
    </message>
    <message>
        <source>SILENT</source>
        <translation>STUMM</translation>
    </message>
    <message>
        <source>Printer off the network: connections dropped and refused</source>
        <translation>Drucker vom Netz: Verbindungen getrennt und abgewiesen</translation>
    </message>
    <message>
        <source>Media out: printing stops until media is back (a Zebra stops answering ~HS)</source>
        <translation>Medium leer: der Druck steht, bis wieder Medium eingelegt ist (ein Zebra beantwortet ~HS nicht mehr)</translation>
    </message>
    <message>
        <source>Print head open: printing stops</source>
        <translation>Druckkopf offen: der Druck steht</translation>
    </message>
    <message>
        <source>The PLC reads requests but answers none</source>
        <translation>Die SPS liest Anfragen, beantwortet aber keine</translation>
    </message>
    <message>
        <source>The engine out of service: job orders refused, the running one interrupted</source>
        <translation>Druckwerk außer Betrieb: Druckaufträge abgewiesen, der laufende abgebrochen</translation>
    </message>
    <message>
        <source>:{port} print · :{status_port} status</source>
        <translation>:{port} Druck · :{status_port} Status</translation>
    </message>
    <message>
        <source>:{port} Modbus</source>
        <translation>:{port} Modbus</translation>
    </message>
    <message>
        <source>:{port} OPC UA</source>
        <translation>:{port} OPC UA</translation>
    </message>
    <message>
        <source>VEHICLES</source>
        <translation>FAHRZEUGE</translation>
    </message>
    <message>
        <source>UNACKED</source>
        <translation>UNQUITT.</translation>
    </message>
    <message>
        <source>RESENT</source>
        <translation>WIEDERHOLT</translation>
    </message>
    <message>
        <source>DROPPED</source>
        <translation>AUSGELASSEN</translation>
    </message>
    <message>
        <source>DUPLICATED</source>
        <translation>DOPPELT</translation>
    </message>
    <message>
        <source>QUARANTINED</source>
        <translation>QUARANTÄNE</translation>
    </message>
    <message>
        <source>RESEND REQ.</source>
        <translation>WIEDERHOLANF.</translation>
    </message>
    <message>
        <source>HEARTBEATS</source>
        <translation>LEBENSZEICHEN</translation>
    </message>
    <message>
        <source>DUPLICATE NEXT</source>
        <translation>NÄCHSTE DOPPELT</translation>
    </message>
    <message>
        <source>The next broadcast is sent twice</source>
        <translation>Die nächste Abrufmeldung wird zweimal gesendet</translation>
    </message>
    <message>
        <source>CHANGE LAST</source>
        <translation>LETZTE ÄNDERN</translation>
    </message>
    <message>
        <source>A change (new options) for the vehicle acknowledged last</source>
        <translation>Eine Änderung (neue Optionen) für das zuletzt quittierte Fahrzeug</translation>
    </message>
    <message>
        <source>CANCEL LAST</source>
        <translation>LETZTE STORNIEREN</translation>
    </message>
    <message>
        <source>A cancellation of the vehicle acknowledged last</source>
        <translation>Eine Stornierung des zuletzt quittierten Fahrzeugs</translation>
    </message>
    <message>
        <source>PRINTER {printer} · {protocol}</source>
        <translation>DRUCKER {printer} · {protocol}</translation>
    </message>
    <message>
        <source>No label printed yet</source>
        <translation>Noch kein Etikett gedruckt</translation>
    </message>
    <message>
        <source>READY</source>
        <translation>BEREIT</translation>
    </message>
    <message>
        <source>{ports} · printed {printed} · queued {queued}</source>
        <translation>{ports} · gedruckt {printed} · wartend {queued}</translation>
    </message>
    <message>
        <source>  REPRINT {n}</source>
        <translation>  NACHDRUCK {n}</translation>
    </message>
    <message>
        <source>{label} · printed {time}</source>
        <translation>{label} · gedruckt {time}</translation>
    </message>
    <message>
        <source>OEM FEED {feed}</source>
        <translation>OEM-ABRUF {feed}</translation>
    </message>
    <message>
        <source>DROP NEXT</source>
        <translation>NÄCHSTE AUSLASSEN</translation>
    </message>
    <message>
        <source>BURST</source>
        <translation>SCHUB</translation>
    </message>
    <message>
        <source>SEND BURST</source>
        <translation>SCHUB SENDEN</translation>
    </message>
    <message>
        <source>PAUSE FEED</source>
        <translation>ABRUF PAUSIEREN</translation>
    </message>
    <message>
        <source>TAKT</source>
        <translation>TAKT</translation>
    </message>
    <message>
        <source>SET TAKT</source>
        <translation>TAKT SETZEN</translation>
    </message>
    <message>
        <source>Takt {seconds} s: the plant&apos;s takt, {factor}× faster</source>
        <translation>Takt {seconds} s: der Werkstakt, {factor}× schneller</translation>
    </message>
    <message>
        <source>SILENCE PENDING {seconds} s</source>
        <translation>FUNKSTILLE ANSTEHEND {seconds} s</translation>
    </message>
    <message>
        <source>TAKT {seconds} s</source>
        <translation>TAKT {seconds} s</translation>
    </message>
    <message>
        <source>Pending: drop {drop} · duplicate {duplicate} · burst {burst} · silence {silence} s</source>
        <translation>Anstehend: auslassen {drop} · doppelt {duplicate} · Schub {burst} · Funkstille {silence} s</translation>
    </message>
    <message>
        <source>Follow-ups sent: change {change} · cancel {cancel}</source>
        <translation>Folgemeldungen gesendet: Änderung {change} · Storno {cancel}</translation>
    </message>
    <message>
        <source>DOWN</source>
        <translation>VOM NETZ</translation>
    </message>
    <message>
        <source>NO READ</source>
        <translation>KEINE LESUNG</translation>
    </message>
    <message>
        <source>GARBLED</source>
        <translation>VERFÄLSCHT</translation>
    </message>
    <message>
        <source>DUPLICATE</source>
        <translation>DOPPELT</translation>
    </message>
    <message>
        <source>SLOW</source>
        <translation>LANGSAM</translation>
    </message>
    <message>
        <source>READER {scanner} · {station}</source>
        <translation>SCANNER {scanner} · {station}</translation>
    </message>
    <message>
        <source>a part&apos;s code, e.g. PBMP-040+HB0001</source>
        <translation>Code eines Teils, z. B. PBMP-040+HB0001</translation>
    </message>
    <message>
        <source>READ</source>
        <translation>LESEN</translation>
    </message>
    <message>
        <source>READING</source>
        <translation>LIEST</translation>
    </message>
    <message>
        <source>NO CLIENT</source>
        <translation>KEIN CLIENT</translation>
    </message>
    <message>
        <source>:{port} · clients {clients} · sent {sent} · last {last}</source>
        <translation>:{port} · Clients {clients} · gesendet {sent} · zuletzt {last}</translation>
    </message>
    <message>
        <source>{switch} on at {device}</source>
        <translation>{switch} ein an {device}</translation>
    </message>
    <message>
        <source>{switch} off at {device}</source>
        <translation>{switch} aus an {device}</translation>
    </message>
    <message>
        <source>takt {value} s</source>
        <translation>Takt {value} s</translation>
    </message>
    <message>
        <source>drop next {value}</source>
        <translation>nächste auslassen {value}</translation>
    </message>
    <message>
        <source>duplicate next {value}</source>
        <translation>nächste doppelt {value}</translation>
    </message>
    <message>
        <source>burst {value}</source>
        <translation>Schub {value}</translation>
    </message>
    <message>
        <source>pause {value} s</source>
        <translation>Pause {value} s</translation>
    </message>
    <message>
        <source>change last {value}</source>
        <translation>letzte ändern {value}</translation>
    </message>
    <message>
        <source>cancel last {value}</source>
        <translation>letzte stornieren {value}</translation>
    </message>
    <message>
        <source>{what}: done</source>
        <translation>{what}: erledigt</translation>
    </message>
    <message>
        <source>{what}: REFUSED · {error}</source>
        <translation>{what}: ABGELEHNT · {error}</translation>
    </message>
    <message>
        <source>{what}: NOT SENT · no link to the simulators</source>
        <translation>{what}: NICHT GESENDET · keine Verbindung zu den Simulatoren</translation>
    </message>
    <message>
        <source> light {light}</source>
        <translation> Leuchte {light}</translation>
    </message>
    <message>
        <source>press {device} light {light}</source>
        <translation>{device} Leuchte {light} drücken</translation>
    </message>
    <message>
        <source>feed {feed}: {knobs}</source>
        <translation>Abruf {feed}: {knobs}</translation>
    </message>
    <message>
        <source>operator at {station}: {mode}</source>
        <translation>Werker an {station}: {mode}</translation>
    </message>
    <message>
        <source>read {code} at {device}</source>
        <translation>{code} an {device} lesen</translation>
    </message>
    <message>
        <source>SIM LINK · WAITING</source>
        <translation>SIM-VERBINDUNG · WARTET</translation>
    </message>
    <message>
        <source>SIM LINK · LIVE</source>
        <translation>SIM-VERBINDUNG · AKTUELL</translation>
    </message>
    <message>
        <source>SIM LINK · LOST · last picture</source>
        <translation>SIM-VERBINDUNG · VERLOREN · letztes Bild</translation>
    </message>
    <message>
        <source>No command sent yet</source>
        <translation>Noch kein Befehl gesendet</translation>
    </message>
    <message>
        <source>SIMULATED PLANT</source>
        <translation>SIMULIERTES WERK</translation>
    </message>
    <message>
        <source>ENGINEER ACTIONS</source>
        <translation>EINGRIFFE DES INGENIEURS</translation>
    </message>
    <message>
        <source>{zone} · simulated ×{speed}</source>
        <translation>{zone} · simuliert ×{speed}</translation>
    </message>
    <message>
        <source>JIS engineer — simulators at {endpoint}</source>
        <translation>JIS-Ingenieur — Simulatoren an {endpoint}</translation>
    </message>
    <message>
        <source>JIS engineer — {plant} — simulators at {endpoint}</source>
        <translation>JIS-Ingenieur — {plant} — Simulatoren an {endpoint}</translation>
    </message>
    <message>
        <source>ON</source>
        <translation>EIN</translation>
    </message>
    <message>
        <source>OFF</source>
        <translation>AUS</translation>
    </message>
    <message>
        <source>{switch}: ON (click to switch off)</source>
        <translation>{switch}: EIN (klicken zum Ausschalten)</translation>
    </message>
    <message>
        <source>{switch}: OFF (click to switch on)</source>
        <translation>{switch}: AUS (klicken zum Einschalten)</translation>
    </message>
    <message>
        <source>MODBUS</source>
        <translation>MODBUS</translation>
    </message>
    <message>
        <source>OPC UA</source>
        <translation>OPC UA</translation>
    </message>
    <message>
        <source>ZPL</source>
        <translation>ZPL</translation>
    </message>
    <message>
        <source>GREEN</source>
        <translation>GRÜN</translation>
    </message>
    <message>
        <source>RED</source>
        <translation>ROT</translation>
    </message>
    <message>
        <source>YELLOW</source>
        <translation>GELB</translation>
    </message>
    <message>
        <source>BLUE</source>
        <translation>BLAU</translation>
    </message>
    <message>
        <source>WHITE</source>
        <translation>WEISS</translation>
    </message>
    <message>
        <source>Controller off the network: connections dropped and refused</source>
        <translation>Steuerung vom Netz: Verbindungen getrennt und abgewiesen</translation>
    </message>
    <message>
        <source>Every Modbus answer delayed (an overloaded gateway or a long RS-485 chain)</source>
        <translation>Jede Modbus-Antwort verzögert (ein überlastetes Gateway oder ein langer RS-485-Strang)</translation>
    </message>
    <message>
        <source>Out of service: lights cannot be lit or cleared, presses still count</source>
        <translation>Außer Betrieb: Leuchten lassen sich weder setzen noch löschen, Tastendrücke zählen weiter</translation>
    </message>
    <message>
        <source>Cut the light off its chain: the gateway answers Modbus exception 0x0B</source>
        <translation>Leuchte vom Strang trennen: das Gateway antwortet mit Modbus-Exception 0x0B</translation>
    </message>
    <message>
        <source>OFF BUS</source>
        <translation>VOM BUS</translation>
    </message>
    <message>
        <source>Cut the light off the controller&apos;s bus: Online false, its methods BadCommunicationError</source>
        <translation>Leuchte vom Bus der Steuerung trennen: Online false, ihre Methoden BadCommunicationError</translation>
    </message>
    <message>
        <source>CUT OFF</source>
        <translation>TRENNEN</translation>
    </message>
    <message>
        <source>Cut the light off its controller</source>
        <translation>Leuchte von ihrer Steuerung trennen</translation>
    </message>
    <message>
        <source>WRONG BUTTON</source>
        <translation>FALSCHE TASTE</translation>
    </message>
    <message>
        <source>NO PRESS</source>
        <translation>DRÜCKT NICHT</translation>
    </message>
    <message>
        <source>AUTO</source>
        <translation>AUTOMATIK</translation>
    </message>
    <message>
        <source>MANUAL</source>
        <translation>HAND</translation>
    </message>
    <message>
        <source>PRESS</source>
        <translation>TASTE</translation>
    </message>
    <message>
        <source>Press light {light}&apos;s confirm button, like an operator&apos;s finger</source>
        <translation>Quittiertaste von Leuchte {light} drücken, wie der Finger eines Werkers</translation>
    </message>
    <message>
        <source>FLASH</source>
        <translation>BLINKT</translation>
    </message>
    <message>
        <source>token {token}</source>
        <translation>Token {token}</translation>
    </message>
    <message>
        <source>dark</source>
        <translation>dunkel</translation>
    </message>
    <message>
        <source>LATCHED · count {count}</source>
        <translation>GEHALTEN · Zähler {count}</translation>
    </message>
    <message>
        <source>latch clear · count {count}</source>
        <translation>frei · Zähler {count}</translation>
    </message>
    <message>
        <source>PTL {gateway} · {kind}  :{port}</source>
        <translation>PTL {gateway} · {kind}  :{port}</translation>
    </message>
    <message>
        <source>Switch the simulated operator off: press the lights by hand</source>
        <translation>Simulierten Werker abschalten: Leuchten von Hand drücken</translation>
    </message>
    <message>
        <source>OPERATOR</source>
        <translation>WERKER</translation>
    </message>
    <message>
        <source>SLOW {seconds} s</source>
        <translation>LANGSAM {seconds} s</translation>
    </message>
    <message>
        <source>presses {presses} · wrong {wrong} · missed {missed}</source>
        <translation>Drücke {presses} · falsch {wrong} · verpasst {missed}</translation>
    </message>
    <message>
        <source> · next press in {seconds} s</source>
        <translation> · nächster Druck in {seconds} s</translation>
    </message>
    <message>
        <source>{feed}: {count} broadcast(s) missing, {first}..{last}; resend requested</source>
        <translation>{feed}: {count} Abrufmeldung(en) fehlen, {first}..{last}; neu angefordert</translation>
    </message>
    <message>
        <source>{feed}: no broadcast for {seconds:.0f} s (limit {limit:.0f} s)</source>
        <translation>{feed}: seit {seconds:.0f} s keine Abrufmeldung (Grenze {limit:.0f} s)</translation>
    </message>
    <message>
        <source>broadcast {seq} for unknown feed {feed!r}</source>
        <translation>Abrufmeldung {seq} für unbekannten Abruf {feed!r}</translation>
    </message>
    <message>
        <source>quarantined #{quarantine_id}: {reason}</source>
        <translation>in Quarantäne #{quarantine_id}: {reason}</translation>
    </message>
    <message>
        <source>{feed}: broadcast {seq} is {distance} ahead of the newest, {newest} (plausible: {ahead} ahead, {behind} behind); refused, nothing resent. If the OEM really jumped, key it in by hand</source>
        <translation>{feed}: Abrufmeldung {seq} liegt {distance} vor der neuesten, {newest} (plausibel: {ahead} davor, {behind} dahinter); abgewiesen, nichts neu angefordert. Ist der OEM wirklich gesprungen, von Hand eingeben</translation>
    </message>
    <message>
        <source>{feed}: broadcast {seq} is {distance} behind the newest, {newest} (plausible: {ahead} ahead, {behind} behind); refused, nothing resent. If the OEM really jumped, key it in by hand</source>
        <translation>{feed}: Abrufmeldung {seq} liegt {distance} hinter der neuesten, {newest} (plausibel: {ahead} davor, {behind} dahinter); abgewiesen, nichts neu angefordert. Ist der OEM wirklich gesprungen, von Hand eingeben</translation>
    </message>
    <message>
        <source>{feed}: broadcast {seq} arrived after its place in the sequence had passed</source>
        <translation>{feed}: Abrufmeldung {seq} kam, nachdem ihr Platz in der Folge vorbei war</translation>
    </message>
    <message>
        <source>{feed}: broadcast {seq} arrived after its place in the sequence had passed; its {racks} rack is closed: proposed fix: pick it outside the rack, label it and send it with the next truck as a single part, or ask the OEM to pull the vehicle</source>
        <translation>{feed}: Abrufmeldung {seq} kam, nachdem ihr Platz in der Folge vorbei war; das Gestell {racks} ist geschlossen: Vorschlag: außerhalb des Gestells greifen, etikettieren und mit dem nächsten Lkw als Einzelteil senden, oder den OEM bitten, das Fahrzeug herauszunehmen</translation>
    </message>
    <message>
        <source>{feed} {seq}: {function} after every rack of its vehicle shipped; call the OEM</source>
        <translation>{feed} {seq}: {function}, nachdem jedes Gestell des Fahrzeugs versendet war; OEM anrufen</translation>
    </message>
    <message>
        <source>{feed} {seq}: {function} for a cancelled vehicle ignored</source>
        <translation>{feed} {seq}: {function} für ein storniertes Fahrzeug ignoriert</translation>
    </message>
    <message>
        <source>{feed}: vehicle {vehicle} moved from {old} to {new}; reaction: {reaction}</source>
        <translation>{feed}: Fahrzeug {vehicle} von {old} nach {new} verschoben; Reaktion: {reaction}</translation>
    </message>
    <message>
        <source>{feed} {seq}: cancelled after the {racks} rack shipped; call the OEM</source>
        <translation>{feed} {seq}: storniert, nachdem das Gestell {racks} versendet war; OEM anrufen</translation>
    </message>
    <message>
        <source>{feed} {seq}: cancelled by the OEM</source>
        <translation>{feed} {seq}: vom OEM storniert</translation>
    </message>
    <message>
        <source>{feed} {seq}: vehicle {vehicle} changed</source>
        <translation>{feed} {seq}: Fahrzeug {vehicle} geändert</translation>
    </message>
    <message>
        <source>{feed} {seq}: change after the {racks} rack shipped; call the OEM</source>
        <translation>{feed} {seq}: Änderung, nachdem das Gestell {racks} versendet war; OEM anrufen</translation>
    </message>
    <message>
        <source>{feed} {seq}: {reason}; slot blocked</source>
        <translation>{feed} {seq}: {reason}; Platz gesperrt</translation>
    </message>
    <message>
        <source>{feed} {seq}: hold for vehicle {vehicle}, already picked: keep its rack</source>
        <translation>{feed} {seq}: Halt für Fahrzeug {vehicle}, schon gegriffen: sein Gestell zurückhalten</translation>
    </message>
    <message>
        <source>{feed} {seq}: vehicle {vehicle} on hold</source>
        <translation>{feed} {seq}: Fahrzeug {vehicle} angehalten</translation>
    </message>
    <message>
        <source>{feed} {seq}: unknown option code(s) {codes}</source>
        <translation>{feed} {seq}: unbekannte(r) Optionscode(s) {codes}</translation>
    </message>
    <message>
        <source>{station}: confirm on {bin} carried pick {token}, pick {pick} is lit; ignored</source>
        <translation>{station}: Quittung an {bin} trug Entnahme {token}, Entnahme {pick} leuchtet; ignoriert</translation>
    </message>
    <message>
        <source>{station}: confirm on bin {bin} with no bin lit</source>
        <translation>{station}: Quittung an Fach {bin}, kein Fach leuchtet</translation>
    </message>
    <message>
        <source>{station}: scan {code!r} with no bin lit</source>
        <translation>{station}: Scan {code!r}, kein Fach leuchtet</translation>
    </message>
    <message>
        <source>{station}: bin {pressed} pressed, {bin} is lit for {feed} {seq}; slot blocked, correct it</source>
        <translation>{station}: Fach {pressed} gedrückt, {bin} leuchtet für {feed} {seq}; Platz gesperrt, bitte korrigieren</translation>
    </message>
    <message>
        <source>{station}: part {part} scanned, {bin} is lit for {feed} {seq}; slot blocked, correct it</source>
        <translation>{station}: Teil {part} gescannt, {bin} leuchtet für {feed} {seq}; Platz gesperrt, bitte korrigieren</translation>
    </message>
    <message>
        <source>{station}: take {part} from rack {rack} slot {slot} back to {bin}</source>
        <translation>{station}: {part} aus Gestell {rack} Platz {slot} zurück in {bin} legen</translation>
    </message>
    <message>
        <source>{station}: {bin} lit for {seconds:.0f} s without a confirm</source>
        <translation>{station}: {bin} leuchtet seit {seconds:.0f} s ohne Quittung</translation>
    </message>
    <message>
        <source>{station}: {code!r} is no part code of this plant; scan the part again</source>
        <translation>{station}: {code!r} ist kein Teilecode dieses Werks; Teil erneut scannen</translation>
    </message>
    <message>
        <source>{station}: serial {serial} of {part} was scanned for {feed} {seq} already; check the part and scan it again</source>
        <translation>{station}: Seriennummer {serial} von {part} wurde schon für {feed} {seq} gescannt; Teil prüfen und erneut scannen</translation>
    </message>
    <message>
        <source>{station}: {bin} is confirmed by scanning the part, not by its button</source>
        <translation>{station}: {bin} wird durch Scannen des Teils quittiert, nicht mit der Taste</translation>
    </message>
    <message>
        <source>{station}: {bin} confirmed by hand by {user}: {reason}</source>
        <translation>{station}: {bin} von Hand quittiert durch {user}: {reason}</translation>
    </message>
    <message>
        <source>label {label} may or may not have printed ({reason}): check it, then reprint or resolve</source>
        <translation>Etikett {label} ist vielleicht gedruckt, vielleicht nicht ({reason}): prüfen, dann nachdrucken oder erledigen</translation>
    </message>
    <message>
        <source>label {label} reprint {count} by {user}</source>
        <translation>Etikett {label} Nachdruck {count} durch {user}</translation>
    </message>
    <message>
        <source>rack {feed}/{family}/{rack}: due in {minutes:.0f} min, not shipped</source>
        <translation>Gestell {feed}/{family}/{rack}: fällig in {minutes:.0f} min, nicht versendet</translation>
    </message>
    <message>
        <source>{station}: bin {bin} low, {qty} of {capacity} {part} left; replenishment called</source>
        <translation>{station}: Fach {bin} niedrig, {qty} von {capacity} {part} übrig; Nachschub angefordert</translation>
    </message>
    <message>
        <source>{station}: bin {bin} runs out in {seconds:.0f} s, {vehicles} vehicles from now ({qty} {part} left)</source>
        <translation>{station}: Fach {bin} ist in {seconds:.0f} s leer, {vehicles} Fahrzeuge von jetzt ({qty} {part} übrig)</translation>
    </message>
    <message>
        <source>{feed}: the OEM's line stands; due times wait for it</source>
        <translation>{feed}: die Linie des OEM steht; Fälligkeiten warten auf sie</translation>
    </message>
    <message>
        <source>{feed}: the OEM's line runs {rate:.0f} vehicles/h, picking keeps up with {keep_up:.0f}: the buffer shrinks</source>
        <translation>{feed}: die Linie des OEM läuft {rate:.0f} Fahrzeuge/h, die Entnahme schafft {keep_up:.0f}: der Puffer schrumpft</translation>
    </message>
    <message>
        <source>ship notice {notice} v{version} rejected by the OEM: {reason}</source>
        <translation>Lieferavis {notice} v{version} vom OEM abgelehnt: {reason}</translation>
    </message>
    <message>
        <source>ship notice {notice} v{version} rejected by the OEM: no reason given</source>
        <translation>Lieferavis {notice} v{version} vom OEM abgelehnt: kein Grund angegeben</translation>
    </message>
    <message>
        <source>ship notice {notice} v{version}: no answer from the OEM in {seconds:.0f} s</source>
        <translation>Lieferavis {notice} v{version}: keine Antwort vom OEM in {seconds:.0f} s</translation>
    </message>
    <message>
        <source>{device} offline: {detail}</source>
        <translation>{device} offline: {detail}</translation>
    </message>
    <message>
        <source>journal cannot be written, the line is paused (nothing is acknowledged): {detail}</source>
        <translation>Journal kann nicht geschrieben werden, die Linie pausiert (nichts wird quittiert): {detail}</translation>
    </message>
    <message>
        <source>{folder}: {free_mb:.0f} MB free ({level})</source>
        <translation>{folder}: {free_mb:.0f} MB frei ({level})</translation>
    </message>
    <message>
        <source>{folder}: {free_mb:.0f} MB free ({level}): {detail}</source>
        <translation>{folder}: {free_mb:.0f} MB frei ({level}): {detail}</translation>
    </message>
    <message>
        <source>{source}: {kind} came {count} times within {window:g} s (on-delay {on:g} s, off-delay {off:g} s): have its link or the device looked at</source>
        <translation>{source}: {kind} kam {count}-mal in {window:g} s (Ansprechverzögerung {on:g} s, Abfallverzögerung {off:g} s): Verbindung oder Gerät prüfen lassen</translation>
    </message>
    <message>
        <source>{source}: {count} refused inputs since a flood began (counted on this alarm, not one each; the quarantine keeps a summary row per window): find the sender</source>
        <translation>{source}: {count} abgewiesene Eingaben seit Beginn einer Flut (auf diesem Alarm gezählt, nicht einzeln; die Quarantäne hält eine Zusammenfassung je Zeitfenster): Absender finden</translation>
    </message>
</context>
</TS>
