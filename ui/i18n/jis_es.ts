<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES">
<context>
    <name>jis</name>
    <message>
        <source>ONLINE</source>
        <translation>EN LÍNEA</translation>
    </message>
    <message>
        <source>OFFLINE</source>
        <translation>FUERA DE LÍNEA</translation>
    </message>
    <message>
        <source>LIGHTS</source>
        <translation>LUCES</translation>
    </message>
    <message>
        <source>PRINTER</source>
        <translation>IMPRESORA</translation>
    </message>
    <message>
        <source>PICKING</source>
        <translation>RECOGIENDO</translation>
    </message>
    <message>
        <source>WAITING</source>
        <translation>EN ESPERA</translation>
    </message>
    <message>
        <source>BLOCKED</source>
        <translation>BLOQUEADO</translation>
    </message>
    <message>
        <source>HELD</source>
        <translation>RETENIDO</translation>
    </message>
    <message>
        <source>PICKED</source>
        <translation>RECOGIDO</translation>
    </message>
    <message>
        <source>GAP</source>
        <translation>HUECO</translation>
    </message>
    <message>
        <source>WRONG PICK</source>
        <translation>PIEZA ERRÓNEA</translation>
    </message>
    <message>
        <source>DEVICE OFFLINE</source>
        <translation>EQUIPO DESCONECTADO</translation>
    </message>
    <message>
        <source>PRINTER FAULT</source>
        <translation>FALLO DE IMPRESORA</translation>
    </message>
    <message>
        <source>LABEL UNCERTAIN</source>
        <translation>ETIQUETA INCIERTA</translation>
    </message>
    <message>
        <source>LATE</source>
        <translation>RETRASADO</translation>
    </message>
    <message>
        <source>CHANGE AFTER SHIP</source>
        <translation>CAMBIO TRAS ENVÍO</translation>
    </message>
    <message>
        <source>JOURNAL FAILED</source>
        <translation>FALLO DEL DIARIO</translation>
    </message>
    <message>
        <source>NOTICE REJECTED</source>
        <translation>AVISO RECHAZADO</translation>
    </message>
    <message>
        <source>NOTICE UNANSWERED</source>
        <translation>AVISO SIN RESPUESTA</translation>
    </message>
    <message>
        <source>SILENCE</source>
        <translation>SILENCIO</translation>
    </message>
    <message>
        <source>DISK SPACE CRITICAL</source>
        <translation>DISCO CASI LLENO</translation>
    </message>
    <message>
        <source>PICK TIMEOUT</source>
        <translation>TIEMPO DE RECOGIDA AGOTADO</translation>
    </message>
    <message>
        <source>UNRESOLVED</source>
        <translation>SIN RESOLVER</translation>
    </message>
    <message>
        <source>LATE ALARM</source>
        <translation>ALARMA DE RETRASO</translation>
    </message>
    <message>
        <source>RESEQUENCED</source>
        <translation>RESECUENCIADO</translation>
    </message>
    <message>
        <source>UNKNOWN FEED</source>
        <translation>FLUJO DESCONOCIDO</translation>
    </message>
    <message>
        <source>MALFORMED</source>
        <translation>MAL FORMADO</translation>
    </message>
    <message>
        <source>UNAUTHORISED</source>
        <translation>NO AUTORIZADO</translation>
    </message>
    <message>
        <source>IMPLAUSIBLE</source>
        <translation>INVEROSÍMIL</translation>
    </message>
    <message>
        <source>QUARANTINE FLOOD</source>
        <translation>AVALANCHA EN CUARENTENA</translation>
    </message>
    <message>
        <source>CHANGE</source>
        <translation>CAMBIO</translation>
    </message>
    <message>
        <source>CANCEL</source>
        <translation>CANCELAR</translation>
    </message>
    <message>
        <source>LATE BROADCAST</source>
        <translation>LLAMADA TARDÍA</translation>
    </message>
    <message>
        <source>RETURN TO STOCK</source>
        <translation>DEVOLUCIÓN A STOCK</translation>
    </message>
    <message>
        <source>SERIAL REPEATED</source>
        <translation>NÚMERO DE SERIE REPETIDO</translation>
    </message>
    <message>
        <source>SCAN UNREADABLE</source>
        <translation>ESCANEO ILEGIBLE</translation>
    </message>
    <message>
        <source>SCAN NEEDED</source>
        <translation>FALTA ESCANEO</translation>
    </message>
    <message>
        <source>OPERATION</source>
        <translation>OPERACIÓN</translation>
    </message>
    <message>
        <source>TARGET</source>
        <translation>OBJETO</translation>
    </message>
    <message>
        <source>RESULT</source>
        <translation>RESULTADO</translation>
    </message>
    <message>
        <source>ANSWER</source>
        <translation>RESPUESTA</translation>
    </message>
    <message>
        <source>Feed</source>
        <translation>Flujo</translation>
    </message>
    <message>
        <source>Sequence no.</source>
        <translation>N.º de secuencia</translation>
    </message>
    <message>
        <source>HOLD</source>
        <translation>RETENCIÓN</translation>
    </message>
    <message>
        <source>Hold a vehicle</source>
        <translation>Retener un vehículo</translation>
    </message>
    <message>
        <source>Its picks wait until it is released.</source>
        <translation>Sus recogidas esperan hasta que se libere.</translation>
    </message>
    <message>
        <source>RELEASE</source>
        <translation>LIBERAR</translation>
    </message>
    <message>
        <source>Release a held vehicle</source>
        <translation>Liberar un vehículo retenido</translation>
    </message>
    <message>
        <source>Its picks return to the sequence.</source>
        <translation>Sus recogidas vuelven a la secuencia.</translation>
    </message>
    <message>
        <source>CANCEL VEHICLE</source>
        <translation>ANULAR VEHÍCULO</translation>
    </message>
    <message>
        <source>Cancel a vehicle</source>
        <translation>Anular un vehículo</translation>
    </message>
    <message>
        <source>Picked parts go back to stock.</source>
        <translation>Las piezas recogidas vuelven al stock.</translation>
    </message>
    <message>
        <source>MOVE</source>
        <translation>MOVER</translation>
    </message>
    <message>
        <source>Move a vehicle</source>
        <translation>Mover un vehículo</translation>
    </message>
    <message>
        <source>To a free place in the sequence (after a repair loop).</source>
        <translation>A un hueco libre de la secuencia (tras un bucle de reparación).</translation>
    </message>
    <message>
        <source>To sequence no.</source>
        <translation>A n.º de secuencia</translation>
    </message>
    <message>
        <source>SWAP</source>
        <translation>INTERCAMBIAR</translation>
    </message>
    <message>
        <source>Reorder two vehicles</source>
        <translation>Reordenar dos vehículos</translation>
    </message>
    <message>
        <source>Two vehicles not yet picked exchange places.</source>
        <translation>Dos vehículos aún no recogidos intercambian sus puestos.</translation>
    </message>
    <message>
        <source>With sequence no.</source>
        <translation>Con n.º de secuencia</translation>
    </message>
    <message>
        <source>INSERT</source>
        <translation>INSERTAR</translation>
    </message>
    <message>
        <source>Insert a broadcast by hand</source>
        <translation>Insertar una llamada a mano</translation>
    </message>
    <message>
        <source>Emergency mode: key in a vehicle while the feed is down.</source>
        <translation>Modo de emergencia: teclee un vehículo mientras el flujo está caído.</translation>
    </message>
    <message>
        <source>Vehicle id (VIN)</source>
        <translation>Id. del vehículo (VIN)</translation>
    </message>
    <message>
        <source>Option codes</source>
        <translation>Códigos de opción</translation>
    </message>
    <message>
        <source>Parts (family=part)</source>
        <translation>Piezas (familia=pieza)</translation>
    </message>
    <message>
        <source>REQUEST RESEND</source>
        <translation>PEDIR REENVÍO</translation>
    </message>
    <message>
        <source>Request a resend</source>
        <translation>Pedir un reenvío</translation>
    </message>
    <message>
        <source>Ask the OEM to send a range again.</source>
        <translation>Pedir al OEM que vuelva a enviar un rango.</translation>
    </message>
    <message>
        <source>From sequence no.</source>
        <translation>Desde n.º de secuencia</translation>
    </message>
    <message>
        <source>Reprint a label</source>
        <translation>Reimprimir una etiqueta</translation>
    </message>
    <message>
        <source>Part label P&lt;pick&gt;, rack label R-&lt;feed&gt;-&lt;family&gt;-&lt;rack&gt;.</source>
        <translation>Etiqueta de pieza P&lt;recogida&gt;, de bastidor R-&lt;flujo&gt;-&lt;familia&gt;-&lt;bastidor&gt;.</translation>
    </message>
    <message>
        <source>Label id</source>
        <translation>Id. de etiqueta</translation>
    </message>
    <message>
        <source>label {id}</source>
        <translation>etiqueta {id}</translation>
    </message>
    <message>
        <source>Confirm the lit pick by hand</source>
        <translation>Confirmar a mano la recogida encendida</translation>
    </message>
    <message>
        <source>When a station&apos;s light has failed.</source>
        <translation>Cuando ha fallado la luz de una estación.</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>Estación</translation>
    </message>
    <message>
        <source>station {id}</source>
        <translation>estación {id}</translation>
    </message>
    <message>
        <source>SHIP RACK</source>
        <translation>EXPEDIR BASTIDOR</translation>
    </message>
    <message>
        <source>Ship a rack by hand</source>
        <translation>Expedir un bastidor a mano</translation>
    </message>
    <message>
        <source>When the dock scanner is down.</source>
        <translation>Cuando el escáner del muelle está caído.</translation>
    </message>
    <message>
        <source>Family</source>
        <translation>Familia</translation>
    </message>
    <message>
        <source>Rack no.</source>
        <translation>N.º de bastidor</translation>
    </message>
    <message>
        <source>{feed} {family} rack {rack}</source>
        <translation>{feed} {family} bastidor {rack}</translation>
    </message>
    <message>
        <source>SET STOCK</source>
        <translation>FIJAR STOCK</translation>
    </message>
    <message>
        <source>Set a bin&apos;s stock</source>
        <translation>Fijar el stock de una caja</translation>
    </message>
    <message>
        <source>After counting or filling it (docs/stock.md).</source>
        <translation>Tras contarla o llenarla (docs/stock.md).</translation>
    </message>
    <message>
        <source>Bin</source>
        <translation>Caja</translation>
    </message>
    <message>
        <source>Parts in it</source>
        <translation>Piezas dentro</translation>
    </message>
    <message>
        <source>bin {bin} = {qty}</source>
        <translation>caja {bin} = {qty}</translation>
    </message>
    <message>
        <source>SET OEM LINE</source>
        <translation>FIJAR LÍNEA OEM</translation>
    </message>
    <message>
        <source>The OEM&apos;s line stopped or runs</source>
        <translation>La línea del OEM parada o en marcha</translation>
    </message>
    <message>
        <source>While it stands, due times wait.</source>
        <translation>Mientras está parada, los plazos esperan.</translation>
    </message>
    <message>
        <source>OEM line</source>
        <translation>Línea OEM</translation>
    </message>
    <message>
        <source>{feed} line {state}</source>
        <translation>{feed} línea {state}</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>parada</translation>
    </message>
    <message>
        <source>running</source>
        <translation>en marcha</translation>
    </message>
    <message>
        <source>MANUAL OPERATIONS</source>
        <translation>OPERACIONES MANUALES</translation>
    </message>
    <message>
        <source>OPERATIONS SENT FROM THIS COCKPIT</source>
        <translation>OPERACIONES ENVIADAS DESDE ESTE PUESTO</translation>
    </message>
    <message>
        <source>{part} at {bin}</source>
        <translation>{part} en {bin}</translation>
    </message>
    <message>
        <source> (vehicle {vehicle}: {picks})</source>
        <translation> (vehículo {vehicle}: {picks})</translation>
    </message>
    <message>
        <source>DISK SPACE LOW</source>
        <translation>POCO ESPACIO EN DISCO</translation>
    </message>
    <message>
        <source>CHATTERING</source>
        <translation>INTERMITENTE</translation>
    </message>
    <message>
        <source>LATE WARNING</source>
        <translation>AVISO DE RETRASO</translation>
    </message>
    <message>
        <source>UNKNOWN OPTION</source>
        <translation>OPCIÓN DESCONOCIDA</translation>
    </message>
    <message>
        <source>STALE CONFIRM</source>
        <translation>CONFIRMACIÓN OBSOLETA</translation>
    </message>
    <message>
        <source>REPRINT</source>
        <translation>REIMPRIMIR</translation>
    </message>
    <message>
        <source>MANUAL CONFIRM</source>
        <translation>CONFIRMACIÓN MANUAL</translation>
    </message>
    <message>
        <source>LINE TOO FAST</source>
        <translation>LÍNEA DEMASIADO RÁPIDA</translation>
    </message>
    <message>
        <source>OEM LINE STOPPED</source>
        <translation>LÍNEA DEL OEM PARADA</translation>
    </message>
    <message>
        <source>WAITING FOR DATA</source>
        <translation>ESPERANDO DATOS</translation>
    </message>
    <message>
        <source>LIVE · rev {rev}</source>
        <translation>ACTUAL · rev. {rev}</translation>
    </message>
    <message>
        <source>STALE · last data</source>
        <translation>OBSOLETO · últimos datos</translation>
    </message>
    <message>
        <source>PICK</source>
        <translation>COGER</translation>
    </message>
    <message>
        <source>LIGHT {light}</source>
        <translation>LUZ {light}</translation>
    </message>
    <message>
        <source>line operator</source>
        <translation>operario de línea</translation>
    </message>
    <message>
        <source>shift lead</source>
        <translation>jefe de turno</translation>
    </message>
    <message>
        <source>engineer</source>
        <translation>ingeniero</translation>
    </message>
    <message>
        <source>administrator</source>
        <translation>administrador</translation>
    </message>
    <message>
        <source>Operations are recorded in the audit log under your name.</source>
        <translation>Las operaciones quedan registradas a su nombre en el registro de auditoría.</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Comprobando…</translation>
    </message>
    <message>
        <source>Wrong user name or password.</source>
        <translation>Usuario o contraseña incorrectos.</translation>
    </message>
    <message>
        <source>Unknown badge or wrong PIN.</source>
        <translation>Tarjeta desconocida o PIN incorrecto.</translation>
    </message>
    <message>
        <source>Too many failed logins: wait a while, then try again.</source>
        <translation>Demasiados intentos fallidos: espere y vuelva a intentarlo.</translation>
    </message>
    <message>
        <source>The service is busy with other logins: try again.</source>
        <translation>El servicio está ocupado con otros accesos: vuelva a intentarlo.</translation>
    </message>
    <message>
        <source>No answer from the service: try again.</source>
        <translation>Sin respuesta del servicio: vuelva a intentarlo.</translation>
    </message>
    <message>
        <source>The service is not reachable.</source>
        <translation>El servicio no está accesible.</translation>
    </message>
    <message>
        <source>The service did not accept this login.</source>
        <translation>El servicio no aceptó este acceso.</translation>
    </message>
    <message>
        <source>not logged in</source>
        <translation>sin sesión</translation>
    </message>
    <message>
        <source>USER</source>
        <translation>USUARIO</translation>
    </message>
    <message>
        <source>PASSWORD</source>
        <translation>CONTRASEÑA</translation>
    </message>
    <message>
        <source>Waiting for the line…</source>
        <translation>Esperando a la línea…</translation>
    </message>
    <message>
        <source>LOG IN</source>
        <translation>ENTRAR</translation>
    </message>
    <message>
        <source>{n} UNACK</source>
        <translation>{n} NO RECON.</translation>
    </message>
    <message>
        <source>all acknowledged</source>
        <translation>todas reconocidas</translation>
    </message>
    <message>
        <source>Enter your user name and password.</source>
        <translation>Introduzca usuario y contraseña.</translation>
    </message>
    <message>
        <source>JIS operator — connecting to {endpoint}</source>
        <translation>JIS operario — conectando con {endpoint}</translation>
    </message>
    <message>
        <source>JIS operator — {plant} — {station}</source>
        <translation>JIS operario — {plant} — {station}</translation>
    </message>
    <message>
        <source>DONE · this panel now shows {station}</source>
        <translation>HECHO · este panel muestra ahora {station}</translation>
    </message>
    <message>
        <source>REFUSED · not moved to {station}</source>
        <translation>RECHAZADO · no se cambió a {station}</translation>
    </message>
    <message>
        <source>no station</source>
        <translation>sin estación</translation>
    </message>
    <message>
        <source>BIN</source>
        <translation>CAJA</translation>
    </message>
    <message>
        <source>QTY</source>
        <translation>CANT.</translation>
    </message>
    <message>
        <source>RACK</source>
        <translation>BASTIDOR</translation>
    </message>
    <message>
        <source>DELIVERY NOTE</source>
        <translation>ALBARÁN</translation>
    </message>
    <message>
        <source>VERSION</source>
        <translation>VERSIÓN</translation>
    </message>
    <message>
        <source>OEM&apos;S REASON</source>
        <translation>MOTIVO DEL OEM</translation>
    </message>
    <message>
        <source>SHIPPED</source>
        <translation>EXPEDIDO</translation>
    </message>
    <message>
        <source>VERSION ASKED FOR</source>
        <translation>VERSIÓN PEDIDA</translation>
    </message>
    <message>
        <source>sending</source>
        <translation>enviando</translation>
    </message>
    <message>
        <source>NO ANSWER: past time-out</source>
        <translation>SIN RESPUESTA: plazo superado</translation>
    </message>
    <message>
        <source>sent, awaiting answer</source>
        <translation>enviado, esperando respuesta</translation>
    </message>
    <message>
        <source>acknowledged</source>
        <translation>confirmados</translation>
    </message>
    <message>
        <source>original</source>
        <translation>original</translation>
    </message>
    <message>
        <source>replaced</source>
        <translation>sustituido</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>anulado</translation>
    </message>
    <message>
        <source>SHIP NOTICES</source>
        <translation>AVISOS DE EXPEDICIÓN</translation>
    </message>
    <message>
        <source>SEND AGAIN…</source>
        <translation>ENVIAR DE NUEVO…</translation>
    </message>
    <message>
        <source>A rejected notice once its cause is fixed, or one unanswered past the time-out: the OEM gets a new version.</source>
        <translation>Un aviso rechazado una vez corregida su causa, o uno sin respuesta pasado el plazo: el OEM recibe una versión nueva.</translation>
    </message>
    <message>
        <source>priority {priority}</source>
        <translation>prioridad {priority}</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>rechazados</translation>
    </message>
    <message>
        <source>unanswered</source>
        <translation>sin respuesta</translation>
    </message>
    <message>
        <source>ship notice {id} v{version} ({what})</source>
        <translation>aviso de expedición {id} v{version} ({what})</translation>
    </message>
    <message>
        <source>Send the ship notice again as a new version, with the same contents.</source>
        <translation>Enviar de nuevo el aviso de expedición como versión nueva, con el mismo contenido.</translation>
    </message>
    <message>
        <source>SEND AGAIN</source>
        <translation>ENVIAR DE NUEVO</translation>
    </message>
    <message>
        <source>This shift, as the OEM counts it: {racks} racks shipped, on time in full {otif} · out of sequence shipped {ppm} ppm of {parts} parts · notices acknowledged {acknowledged}, rejected {rejected}, unanswered {unanswered}</source>
        <translation>Este turno, según cuenta el OEM: {racks} bastidores expedidos, a tiempo y completos {otif} · expedidos fuera de secuencia {ppm} ppm de {parts} piezas · avisos confirmados {acknowledged}, rechazados {rejected}, sin respuesta {unanswered}</translation>
    </message>
    <message>
        <source>no rack shipped with a notice</source>
        <translation>ningún bastidor expedido con aviso</translation>
    </message>
    <message>
        <source>awaiting an answer</source>
        <translation>esperando respuesta</translation>
    </message>
    <message>
        <source>past the time-out</source>
        <translation>plazo superado</translation>
    </message>
    <message>
        <source>{n} kept</source>
        <translation>{n} guardados</translation>
    </message>
    <message>
        <source>VIN</source>
        <translation>VIN</translation>
    </message>
    <message>
        <source>SERIAL</source>
        <translation>N.º SERIE</translation>
    </message>
    <message>
        <source>BATCH</source>
        <translation>LOTE</translation>
    </message>
    <message>
        <source>SCANNED</source>
        <translation>ESCANEADO</translation>
    </message>
    <message>
        <source>SLOT</source>
        <translation>POSICIÓN</translation>
    </message>
    <message>
        <source>TRACE</source>
        <translation>TRAZABILIDAD</translation>
    </message>
    <message>
        <source>VIN, serial or batch as scanned</source>
        <translation>VIN, n.º de serie o lote tal como se escaneó</translation>
    </message>
    <message>
        <source>FIND</source>
        <translation>BUSCAR</translation>
    </message>
    <message>
        <source>type a VIN, serial or batch</source>
        <translation>teclee un VIN, n.º de serie o lote</translation>
    </message>
    <message>
        <source>LOG IN to ask</source>
        <translation>ENTRAR para consultar</translation>
    </message>
    <message>
        <source>asking: {key} {value}</source>
        <translation>consultando: {key} {value}</translation>
    </message>
    <message>
        <source>NOT ANSWERED — {error}</source>
        <translation>SIN RESPUESTA — {error}</translation>
    </message>
    <message>
        <source> (more: ask by vehicle)</source>
        <translation> (hay más: consulte por vehículo)</translation>
    </message>
    <message>
        <source>{target}: {n} part(s) traced</source>
        <translation>{target}: {n} pieza(s) localizada(s)</translation>
    </message>
    <message>
        <source>CLOSED {time}</source>
        <translation>CERRADA {time}</translation>
    </message>
    <message>
        <source>{state} until {time}</source>
        <translation>{state} hasta {time}</translation>
    </message>
    <message>
        <source>RAISED</source>
        <translation>ACTIVADA</translation>
    </message>
    <message>
        <source>STATE</source>
        <translation>ESTADO</translation>
    </message>
    <message>
        <source>KIND</source>
        <translation>TIPO</translation>
    </message>
    <message>
        <source>FEED</source>
        <translation>FLUJO</translation>
    </message>
    <message>
        <source>VEHICLE</source>
        <translation>VEHÍCULO</translation>
    </message>
    <message>
        <source>STATION / DEVICE</source>
        <translation>ESTACIÓN / EQUIPO</translation>
    </message>
    <message>
        <source>MESSAGE</source>
        <translation>MENSAJE</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Abiertas</translation>
    </message>
    <message>
        <source>Unacknowledged</source>
        <translation>No reconocidas</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>Reconocidas</translation>
    </message>
    <message>
        <source>Shelved</source>
        <translation>Aplazadas</translation>
    </message>
    <message>
        <source>Suppressed</source>
        <translation>Suprimidas</translation>
    </message>
    <message>
        <source>Out of service</source>
        <translation>Fuera de servicio</translation>
    </message>
    <message>
        <source>Closed this shift</source>
        <translation>Cerradas en este turno</translation>
    </message>
    <message>
        <source>All this shift</source>
        <translation>Todas de este turno</translation>
    </message>
    <message>
        <source>All kinds</source>
        <translation>Todos los tipos</translation>
    </message>
    <message>
        <source>All feeds, stations, devices</source>
        <translation>Todos los flujos, estaciones, equipos</translation>
    </message>
    <message>
        <source>ACKNOWLEDGE</source>
        <translation>RECONOCER</translation>
    </message>
    <message>
        <source>Acknowledge: you have seen these alarms.</source>
        <translation>Reconocer: ha visto estas alarmas.</translation>
    </message>
    <message>
        <source>SHELVE</source>
        <translation>APLAZAR</translation>
    </message>
    <message>
        <source>Shelve: hide these alarms for a limited time; they return when the time is up.</source>
        <translation>Aplazar: ocultar estas alarmas por un tiempo limitado; vuelven cuando se acaba.</translation>
    </message>
    <message>
        <source>SUPPRESS</source>
        <translation>SUPRIMIR</translation>
    </message>
    <message>
        <source>Suppress by design: these alarms mean nothing while the plant is as it is now (a station shut down for the shift). They stay listed under Suppressed, never blink and are not notified until someone unsuppresses them.</source>
        <translation>Suprimir por diseño: estas alarmas no significan nada mientras la planta esté como ahora (una estación parada durante el turno). Quedan listadas en Suprimidas, nunca parpadean y no se notifican hasta que alguien deje de suprimirlas.</translation>
    </message>
    <message>
        <source>UNSUPPRESS</source>
        <translation>DEJAR DE SUPRIMIR</translation>
    </message>
    <message>
        <source>Unsuppress: these alarms are annunciated again, unacknowledged if their cause is still there.</source>
        <translation>Dejar de suprimir: estas alarmas se anuncian de nuevo, sin reconocer si su causa sigue ahí.</translation>
    </message>
    <message>
        <source>OUT OF SERVICE</source>
        <translation>FUERA DE SERVICIO</translation>
    </message>
    <message>
        <source>Take out of service: the device or link is under maintenance. The alarms stay listed under Out of service, never blink and are not notified until someone returns them to service.</source>
        <translation>Poner fuera de servicio: el equipo o el enlace está en mantenimiento. Las alarmas quedan listadas en Fuera de servicio, nunca parpadean y no se notifican hasta que alguien las devuelva al servicio.</translation>
    </message>
    <message>
        <source>RETURN TO SERVICE</source>
        <translation>DEVOLVER AL SERVICIO</translation>
    </message>
    <message>
        <source>Return to service: these alarms are annunciated again, unacknowledged if their cause is still there.</source>
        <translation>Devolver al servicio: estas alarmas se anuncian de nuevo, sin reconocer si su causa sigue ahí.</translation>
    </message>
    <message>
        <source>RESOLVE</source>
        <translation>RESOLVER</translation>
    </message>
    <message>
        <source>Resolve: the cause is fixed. Say what was done.</source>
        <translation>Resolver: la causa está corregida. Indique qué se hizo.</translation>
    </message>
    <message>
        <source>DEVIATIONS AND ALARMS</source>
        <translation>INCIDENCIAS Y ALARMAS</translation>
    </message>
    <message>
        <source>Search message, vehicle, sequence no.</source>
        <translation>Buscar mensaje, vehículo, n.º de secuencia</translation>
    </message>
    <message>
        <source>MORE ▾</source>
        <translation>MÁS ▾</translation>
    </message>
    <message>
        <source>Suppress, unsuppress, take out of service, return to service</source>
        <translation>Suprimir, dejar de suprimir, poner fuera de servicio, devolver al servicio</translation>
    </message>
    <message>
        <source>{shown} shown of {all} this shift</source>
        <translation>{shown} mostradas de {all} de este turno</translation>
    </message>
    <message>
        <source>SEQ</source>
        <translation>SEC.</translation>
    </message>
    <message>
        <source>DUE</source>
        <translation>PLAZO</translation>
    </message>
    <message>
        <source>min</source>
        <translation>min</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>NOMBRE</translation>
    </message>
    <message>
        <source>LAST SEQ</source>
        <translation>ÚLTIMA SEC.</translation>
    </message>
    <message>
        <source>LAST BROADCAST</source>
        <translation>ÚLTIMA LLAMADA</translation>
    </message>
    <message>
        <source>SILENT FOR</source>
        <translation>EN SILENCIO</translation>
    </message>
    <message>
        <source>BROADCASTS</source>
        <translation>LLAMADAS</translation>
    </message>
    <message>
        <source>GAPS</source>
        <translation>HUECOS</translation>
    </message>
    <message>
        <source>DUPLICATES</source>
        <translation>DUPLICADOS</translation>
    </message>
    <message>
        <source>STATION</source>
        <translation>ESTACIÓN</translation>
    </message>
    <message>
        <source>NOW</source>
        <translation>AHORA</translation>
    </message>
    <message>
        <source>PART</source>
        <translation>PIEZA</translation>
    </message>
    <message>
        <source>QUEUE</source>
        <translation>COLA</translation>
    </message>
    <message>
        <source>NEXT DUE</source>
        <translation>PRÓXIMO PLAZO</translation>
    </message>
    <message>
        <source>DEVICES</source>
        <translation>EQUIPOS</translation>
    </message>
    <message>
        <source>STARVES</source>
        <translation>SIN PIEZAS</translation>
    </message>
    <message>
        <source>FAMILY</source>
        <translation>FAMILIA</translation>
    </message>
    <message>
        <source>FILLED</source>
        <translation>LLENO</translation>
    </message>
    <message>
        <source>SEQ RANGE</source>
        <translation>RANGO SEC.</translation>
    </message>
    <message>
        <source>DEVICE</source>
        <translation>EQUIPO</translation>
    </message>
    <message>
        <source>DETAIL</source>
        <translation>DETALLE</translation>
    </message>
    <message>
        <source>Hold vehicle {seq}…</source>
        <translation>Retener vehículo {seq}…</translation>
    </message>
    <message>
        <source>Release vehicle {seq}…</source>
        <translation>Liberar vehículo {seq}…</translation>
    </message>
    <message>
        <source>Cancel vehicle {seq}…</source>
        <translation>Anular vehículo {seq}…</translation>
    </message>
    <message>
        <source>Confirm by hand at {station}…</source>
        <translation>Confirmar a mano en {station}…</translation>
    </message>
    <message>
        <source>{feed} · OEM line STOPPED since {time}</source>
        <translation>{feed} · línea OEM PARADA desde {time}</translation>
    </message>
    <message>
        <source>{feed} · OEM line {rate}/h</source>
        <translation>{feed} · línea OEM {rate}/h</translation>
    </message>
    <message>
        <source>FEEDS</source>
        <translation>FLUJOS</translation>
    </message>
    <message>
        <source>STATIONS</source>
        <translation>ESTACIONES</translation>
    </message>
    <message>
        <source>OPEN RACKS</source>
        <translation>BASTIDORES ABIERTOS</translation>
    </message>
    <message>
        <source>BUFFER AGAINST DUE TIME</source>
        <translation>MARGEN HASTA EL PLAZO</translation>
    </message>
    <message>
        <source>minutes until due</source>
        <translation>minutos hasta el plazo</translation>
    </message>
    <message>
        <source>buffer</source>
        <translation>margen</translation>
    </message>
    <message>
        <source>no open vehicles</source>
        <translation>ningún vehículo abierto</translation>
    </message>
    <message>
        <source>IDLE</source>
        <translation>LIBRE</translation>
    </message>
    <message>
        <source>{count} open, worst priority {priority}</source>
        <translation>{count} abiertas, peor prioridad {priority}</translation>
    </message>
    <message>
        <source>buffer: earliest open vehicle&apos;s due time · target ≥ {minutes} min</source>
        <translation>margen: plazo del vehículo abierto más antiguo · objetivo ≥ {minutes} min</translation>
    </message>
    <message>
        <source>online</source>
        <translation>en línea</translation>
    </message>
    <message>
        <source>covered</source>
        <translation>cubierto</translation>
    </message>
    <message>
        <source>RACK/SLOT</source>
        <translation>BASTIDOR/POS.</translation>
    </message>
    <message>
        <source>PCE</source>
        <translation>UD</translation>
    </message>
    <message>
        <source>SET</source>
        <translation>JUEGO</translation>
    </message>
    <message>
        <source>PR</source>
        <translation>PAR</translation>
    </message>
    <message>
        <source>SCAN THE PART</source>
        <translation>ESCANEE LA PIEZA</translation>
    </message>
    <message>
        <source>PRESS THE BIN</source>
        <translation>PULSE LA CAJA</translation>
    </message>
    <message>
        <source>SCAN THE PART, PRESS THE BIN</source>
        <translation>ESCANEE LA PIEZA, PULSE LA CAJA</translation>
    </message>
    <message>
        <source>PICK NOW</source>
        <translation>COGER AHORA</translation>
    </message>
    <message>
        <source>BINS</source>
        <translation>CAJAS</translation>
    </message>
    <message>
        <source>NEXT VEHICLES</source>
        <translation>PRÓXIMOS VEHÍCULOS</translation>
    </message>
    <message>
        <source>DEVIATIONS</source>
        <translation>INCIDENCIAS</translation>
    </message>
    <message>
        <source>No open deviations</source>
        <translation>Sin incidencias abiertas</translation>
    </message>
    <message>
        <source>No stations in this plant</source>
        <translation>Sin estaciones en esta planta</translation>
    </message>
    <message>
        <source>No pick queued</source>
        <translation>Ninguna recogida pendiente</translation>
    </message>
    <message>
        <source>+ {count} more on the shift lead&apos;s screen</source>
        <translation>+ {count} más en la pantalla del jefe de turno</translation>
    </message>
    <message>
        <source>This panel is locked to its station: a shift lead&apos;s login changes it.</source>
        <translation>Este panel está fijado a su estación: solo un jefe de turno puede cambiarla.</translation>
    </message>
    <message>
        <source>CLEAR</source>
        <translation>BORRAR</translation>
    </message>
    <message>
        <source>DONE</source>
        <translation>HECHO</translation>
    </message>
    <message>
        <source>REFUSED</source>
        <translation>RECHAZADO</translation>
    </message>
    <message>
        <source>FORBIDDEN</source>
        <translation>NO PERMITIDO</translation>
    </message>
    <message>
        <source>REJECTED</source>
        <translation>NO VÁLIDO</translation>
    </message>
    <message>
        <source>NOT LOGGED IN</source>
        <translation>SIN SESIÓN</translation>
    </message>
    <message>
        <source>NO ANSWER</source>
        <translation>SIN RESPUESTA</translation>
    </message>
    <message>
        <source>UNREACHABLE</source>
        <translation>INACCESIBLE</translation>
    </message>
    <message>
        <source>BUSY</source>
        <translation>OCUPADO</translation>
    </message>
    <message>
        <source>SERVICE ERROR</source>
        <translation>ERROR DEL SERVICIO</translation>
    </message>
    <message>
        <source>Confirm {verb}</source>
        <translation>Confirmar: {verb}</translation>
    </message>
    <message>
        <source>for {minutes} min</source>
        <translation>durante {minutes} min</translation>
    </message>
    <message>
        <source>SHELVE FOR</source>
        <translation>APLAZAR DURANTE</translation>
    </message>
    <message>
        <source>REASON</source>
        <translation>MOTIVO</translation>
    </message>
    <message>
        <source>NOTE (optional)</source>
        <translation>NOTA (opcional)</translation>
    </message>
    <message>
        <source>Recorded in the audit log as {who}.</source>
        <translation>Queda en el registro de auditoría como {who}.</translation>
    </message>
    <message>
        <source>GO BACK</source>
        <translation>VOLVER</translation>
    </message>
    <message>
        <source>FAILED</source>
        <translation>FALLIDO</translation>
    </message>
    <message>
        <source>SENT</source>
        <translation>ENVIADO</translation>
    </message>
    <message>
        <source>SCAN</source>
        <translation>ESCANEO</translation>
    </message>
    <message>
        <source>NOT SENT · SCAN {code} — {why}</source>
        <translation>NO ENVIADO · ESCANEO {code} — {why}</translation>
    </message>
    <message>
        <source>no picture of the station</source>
        <translation>sin imagen de la estación</translation>
    </message>
    <message>
        <source>COMM</source>
        <translation>COMM</translation>
    </message>
    <message>
        <source>wait for the answer</source>
        <translation>espere la respuesta</translation>
    </message>
    <message>
        <source>ACK</source>
        <translation>RECONOCER</translation>
    </message>
    <message>
        <source>CONFIRM BY HAND</source>
        <translation>CONFIRMAR A MANO</translation>
    </message>
    <message>
        <source>Log in to the operator panel</source>
        <translation>Entrar en el panel de operario</translation>
    </message>
    <message>
        <source>BADGE</source>
        <translation>TARJETA</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>USER AND PASSWORD</source>
        <translation>USUARIO Y CONTRASEÑA</translation>
    </message>
    <message>
        <source>BADGE AND PIN</source>
        <translation>TARJETA Y PIN</translation>
    </message>
    <message>
        <source>Hold your badge to the reader.</source>
        <translation>Acerque su tarjeta al lector.</translation>
    </message>
    <message>
        <source>Enter your PIN: 4 to 8 digits.</source>
        <translation>Introduzca su PIN: de 4 a 8 dígitos.</translation>
    </message>
    <message>
        <source>LOG OUT</source>
        <translation>SALIR</translation>
    </message>
    <message>
        <source>LOW STOCK</source>
        <translation>STOCK BAJO</translation>
    </message>
    <message>
        <source>STARVATION</source>
        <translation>DESABASTECIMIENTO</translation>
    </message>
    <message>
        <source>LOW {stock} / {capacity}</source>
        <translation>BAJO {stock} / {capacity}</translation>
    </message>
    <message>
        <source>{stock} / {capacity} left</source>
        <translation>quedan {stock} / {capacity}</translation>
    </message>
    <message>
        <source>Stock covers the open vehicles</source>
        <translation>El stock cubre los vehículos abiertos</translation>
    </message>
    <message>
        <source>Starves at {time} · bin {bin}</source>
        <translation>Sin piezas a las {time} · caja {bin}</translation>
    </message>
    <message>
        <source>QUARANTINE #</source>
        <translation>CUARENTENA N.º</translation>
    </message>
    <message>
        <source>RECEIVED</source>
        <translation>RECIBIDO</translation>
    </message>
    <message>
        <source>QUARANTINED MESSAGES</source>
        <translation>MENSAJES EN CUARENTENA</translation>
    </message>
    <message>
        <source>Re-processing reads the stored message again, as if it had just arrived.</source>
        <translation>Reprocesar vuelve a leer el mensaje guardado, como si acabara de llegar.</translation>
    </message>
    <message>
        <source>REPROCESS…</source>
        <translation>REPROCESAR…</translation>
    </message>
    <message>
        <source>DISCARD…</source>
        <translation>DESCARTAR…</translation>
    </message>
    <message>
        <source>DISCARDED / RE-PROCESSED</source>
        <translation>DESCARTADO / REPROCESADO</translation>
    </message>
    <message>
        <source>{n} held by the service</source>
        <translation>{n} retenidos por el servicio</translation>
    </message>
    <message>
        <source>quarantine #{id} ({reason})</source>
        <translation>cuarentena n.º {id} ({reason})</translation>
    </message>
    <message>
        <source>Re-process a quarantined message after its cause was fixed.</source>
        <translation>Reprocesar un mensaje en cuarentena una vez corregida su causa.</translation>
    </message>
    <message>
        <source>REPROCESS</source>
        <translation>REPROCESAR</translation>
    </message>
    <message>
        <source>Discard: resolve the deviation; the message stays in quarantine.</source>
        <translation>Descartar: resolver la incidencia; el mensaje sigue en cuarentena.</translation>
    </message>
    <message>
        <source>DISCARD</source>
        <translation>DESCARTAR</translation>
    </message>
    <message>
        <source>Between shifts {start}</source>
        <translation>Entre turnos {start}</translation>
    </message>
    <message>
        <source>{name} shift {start}–{end}</source>
        <translation>Turno {name} {start}–{end}</translation>
    </message>
    <message>
        <source>On time</source>
        <translation>A tiempo</translation>
    </message>
    <message>
        <source>Picks / h</source>
        <translation>Recogidas / h</translation>
    </message>
    <message>
        <source>/h</source>
        <translation>/h</translation>
    </message>
    <message>
        <source>Takt picks / h</source>
        <translation>Recogidas del takt / h</translation>
    </message>
    <message>
        <source>Buffer</source>
        <translation>Margen</translation>
    </message>
    <message>
        <source>Broadcasts / h</source>
        <translation>Llamadas / h</translation>
    </message>
    <message>
        <source>Feed silent for</source>
        <translation>Flujo en silencio</translation>
    </message>
    <message>
        <source>Pick accuracy</source>
        <translation>Precisión de recogida</translation>
    </message>
    <message>
        <source>Wrong picks caught</source>
        <translation>Piezas erróneas detectadas</translation>
    </message>
    <message>
        <source>ppm</source>
        <translation>ppm</translation>
    </message>
    <message>
        <source>Open deviations</source>
        <translation>Incidencias abiertas</translation>
    </message>
    <message>
        <source>Time to resolve</source>
        <translation>Tiempo de resolución</translation>
    </message>
    <message>
        <source>Vehicles completed</source>
        <translation>Vehículos completados</translation>
    </message>
    <message>
        <source>Racks shipped</source>
        <translation>Bastidores expedidos</translation>
    </message>
    <message>
        <source>Vehicles broadcast</source>
        <translation>Vehículos llamados</translation>
    </message>
    <message>
        <source>Labels printed</source>
        <translation>Etiquetas impresas</translation>
    </message>
    <message>
        <source>Quarantined</source>
        <translation>En cuarentena</translation>
    </message>
    <message>
        <source>Unacked closed</source>
        <translation>Cerradas sin reconocer</translation>
    </message>
    <message>
        <source>UNACK</source>
        <translation>NO RECON.</translation>
    </message>
    <message>
        <source>ACKED</source>
        <translation>RECONOCIDA</translation>
    </message>
    <message>
        <source>RTN UNACK</source>
        <translation>VUELTA NO RECON.</translation>
    </message>
    <message>
        <source>SHELVED</source>
        <translation>APLAZADA</translation>
    </message>
    <message>
        <source>SUPPRESSED</source>
        <translation>SUPRIMIDA</translation>
    </message>
    <message>
        <source>NORMAL</source>
        <translation>NORMAL</translation>
    </message>
    <message>
        <source>CLOSED</source>
        <translation>CERRADA</translation>
    </message>
    <message>
        <source>BROADCASTS PER HOUR</source>
        <translation>LLAMADAS POR HORA</translation>
    </message>
    <message>
        <source>PICKS PER HOUR</source>
        <translation>RECOGIDAS POR HORA</translation>
    </message>
    <message>
        <source>takt</source>
        <translation>takt</translation>
    </message>
    <message>
        <source>BUFFER</source>
        <translation>MARGEN</translation>
    </message>
    <message>
        <source>floor</source>
        <translation>mínimo</translation>
    </message>
    <message>
        <source>ON-TIME RATE</source>
        <translation>TASA A TIEMPO</translation>
    </message>
    <message>
        <source>target</source>
        <translation>objetivo</translation>
    </message>
    <message>
        <source>SHIFT KPIS</source>
        <translation>KPI DEL TURNO</translation>
    </message>
    <message>
        <source>OFF TARGET</source>
        <translation>FUERA DE OBJETIVO</translation>
    </message>
    <message>
        <source>Deviations and alarms</source>
        <translation>Incidencias y alarmas</translation>
    </message>
    <message>
        <source>Manual operations</source>
        <translation>Operaciones manuales</translation>
    </message>
    <message>
        <source>Trends and KPIs</source>
        <translation>Tendencias y KPI</translation>
    </message>
    <message>
        <source>Quarantine</source>
        <translation>Cuarentena</translation>
    </message>
    <message>
        <source>Ship notices</source>
        <translation>Avisos de expedición</translation>
    </message>
    <message>
        <source>Trace (serials, batches)</source>
        <translation>Trazabilidad (n.º de serie, lotes)</translation>
    </message>
    <message>
        <source>JIS shift lead — connecting</source>
        <translation>JIS jefe de turno — conectando</translation>
    </message>
    <message>
        <source>Log in to the cockpit</source>
        <translation>Entrar en el puesto de mando</translation>
    </message>
    <message>
        <source>Header</source>
        <translation>Cabecera</translation>
    </message>
    <message>
        <source>&amp;Session</source>
        <translation>&amp;Sesión</translation>
    </message>
    <message>
        <source>Log in…</source>
        <translation>Entrar…</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>Salir</translation>
    </message>
    <message>
        <source>S&amp;hift</source>
        <translation>&amp;Turno</translation>
    </message>
    <message>
        <source>Export shift report…</source>
        <translation>Exportar informe de turno…</translation>
    </message>
    <message>
        <source>&amp;Alarms</source>
        <translation>&amp;Alarmas</translation>
    </message>
    <message>
        <source>Acknowledge selected</source>
        <translation>Reconocer las seleccionadas</translation>
    </message>
    <message>
        <source>Shelve selected…</source>
        <translation>Aplazar las seleccionadas…</translation>
    </message>
    <message>
        <source>Suppress selected…</source>
        <translation>Suprimir las seleccionadas…</translation>
    </message>
    <message>
        <source>Unsuppress selected…</source>
        <translation>Dejar de suprimir las seleccionadas…</translation>
    </message>
    <message>
        <source>Take selected out of service…</source>
        <translation>Poner fuera de servicio las seleccionadas…</translation>
    </message>
    <message>
        <source>Return selected to service…</source>
        <translation>Devolver al servicio las seleccionadas…</translation>
    </message>
    <message>
        <source>Resolve selected…</source>
        <translation>Resolver las seleccionadas…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ver</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Vista general</translation>
    </message>
    <message>
        <source>Larger text</source>
        <translation>Texto más grande</translation>
    </message>
    <message>
        <source>Smaller text</source>
        <translation>Texto más pequeño</translation>
    </message>
    <message>
        <source>Normal text size</source>
        <translation>Tamaño de texto normal</translation>
    </message>
    <message>
        <source>Reset layout</source>
        <translation>Restablecer disposición</translation>
    </message>
    <message>
        <source>JIS shift lead — {plant}</source>
        <translation>JIS jefe de turno — {plant}</translation>
    </message>
    <message>
        <source>Export the shift report to a folder</source>
        <translation>Exportar el informe de turno a una carpeta</translation>
    </message>
    <message>
        <source>Nothing to export yet: no data from the line.</source>
        <translation>Aún no hay nada que exportar: sin datos de la línea.</translation>
    </message>
    <message>
        <source>Report written: {name}</source>
        <translation>Informe escrito: {name}</translation>
    </message>
    <message>
        <source>Export failed: {why}</source>
        <translation>Exportación fallida: {why}</translation>
    </message>
    <message>
        <source>PAPER OUT</source>
        <translation>SIN PAPEL</translation>
    </message>
    <message>
        <source>RIBBON OUT</source>
        <translation>SIN CINTA</translation>
    </message>
    <message>
        <source>RIBBON LOW</source>
        <translation>CINTA BAJA</translation>
    </message>
    <message>
        <source>HEAD OPEN</source>
        <translation>CABEZAL ABIERTO</translation>
    </message>
    <message>
        <source>PAUSED</source>
        <translation>EN PAUSA</translation>
    </message>
    <message>
        <source>SILENT</source>
        <translation>SIN RESPUESTA</translation>
    </message>
    <message>
        <source>Printer off the network: connections dropped and refused</source>
        <translation>Impresora fuera de la red: conexiones cortadas y rechazadas</translation>
    </message>
    <message>
        <source>Media out: printing stops until media is back (a Zebra stops answering ~HS)</source>
        <translation>Sin material: la impresión se detiene hasta que vuelva a haber material (una Zebra deja de responder a ~HS)</translation>
    </message>
    <message>
        <source>Print head open: printing stops</source>
        <translation>Cabezal abierto: la impresión se detiene</translation>
    </message>
    <message>
        <source>The PLC reads requests but answers none</source>
        <translation>El PLC lee las solicitudes pero no responde ninguna</translation>
    </message>
    <message>
        <source>The engine out of service: job orders refused, the running one interrupted</source>
        <translation>Motor de impresión fuera de servicio: órdenes de trabajo rechazadas, la actual interrumpida</translation>
    </message>
    <message>
        <source>:{port} print · :{status_port} status</source>
        <translation>:{port} impresión · :{status_port} estado</translation>
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
        <translation>VEHÍCULOS</translation>
    </message>
    <message>
        <source>UNACKED</source>
        <translation>SIN RECONOCER</translation>
    </message>
    <message>
        <source>RESENT</source>
        <translation>REENVIADOS</translation>
    </message>
    <message>
        <source>DROPPED</source>
        <translation>OMITIDOS</translation>
    </message>
    <message>
        <source>DUPLICATED</source>
        <translation>DUPLICADOS</translation>
    </message>
    <message>
        <source>QUARANTINED</source>
        <translation>EN CUARENTENA</translation>
    </message>
    <message>
        <source>RESEND REQ.</source>
        <translation>SOLIC. REENVÍO</translation>
    </message>
    <message>
        <source>HEARTBEATS</source>
        <translation>LATIDOS</translation>
    </message>
    <message>
        <source>DUPLICATE NEXT</source>
        <translation>DUPLICAR SIGUIENTE</translation>
    </message>
    <message>
        <source>The next broadcast is sent twice</source>
        <translation>La siguiente llamada se envía dos veces</translation>
    </message>
    <message>
        <source>CHANGE LAST</source>
        <translation>CAMBIAR ÚLTIMA</translation>
    </message>
    <message>
        <source>A change (new options) for the vehicle acknowledged last</source>
        <translation>Un cambio (opciones nuevas) para el último vehículo reconocido</translation>
    </message>
    <message>
        <source>CANCEL LAST</source>
        <translation>CANCELAR ÚLTIMA</translation>
    </message>
    <message>
        <source>A cancellation of the vehicle acknowledged last</source>
        <translation>Una cancelación del último vehículo reconocido</translation>
    </message>
    <message>
        <source>PRINTER {printer} · {protocol}</source>
        <translation>IMPRESORA {printer} · {protocol}</translation>
    </message>
    <message>
        <source>No label printed yet</source>
        <translation>Aún no se ha impreso ninguna etiqueta</translation>
    </message>
    <message>
        <source>READY</source>
        <translation>LISTA</translation>
    </message>
    <message>
        <source>{ports} · printed {printed} · queued {queued}</source>
        <translation>{ports} · impresas {printed} · en cola {queued}</translation>
    </message>
    <message>
        <source>  REPRINT {n}</source>
        <translation>  REIMPRESIÓN {n}</translation>
    </message>
    <message>
        <source>{label} · printed {time}</source>
        <translation>{label} · impresa {time}</translation>
    </message>
    <message>
        <source>OEM FEED {feed}</source>
        <translation>FLUJO OEM {feed}</translation>
    </message>
    <message>
        <source>DROP NEXT</source>
        <translation>OMITIR SIGUIENTE</translation>
    </message>
    <message>
        <source>BURST</source>
        <translation>RÁFAGA</translation>
    </message>
    <message>
        <source>SEND BURST</source>
        <translation>ENVIAR RÁFAGA</translation>
    </message>
    <message>
        <source>PAUSE FEED</source>
        <translation>PAUSAR FLUJO</translation>
    </message>
    <message>
        <source>TAKT</source>
        <translation>TAKT</translation>
    </message>
    <message>
        <source>SET TAKT</source>
        <translation>FIJAR TAKT</translation>
    </message>
    <message>
        <source>Takt {seconds} s: the plant&apos;s takt, {factor}× faster</source>
        <translation>Takt {seconds} s: el takt de la planta, {factor}× más rápido</translation>
    </message>
    <message>
        <source>SILENCE PENDING {seconds} s</source>
        <translation>SILENCIO PENDIENTE {seconds} s</translation>
    </message>
    <message>
        <source>TAKT {seconds} s</source>
        <translation>TAKT {seconds} s</translation>
    </message>
    <message>
        <source>Pending: drop {drop} · duplicate {duplicate} · burst {burst} · silence {silence} s</source>
        <translation>Pendiente: omitir {drop} · duplicar {duplicate} · ráfaga {burst} · silencio {silence} s</translation>
    </message>
    <message>
        <source>Follow-ups sent: change {change} · cancel {cancel}</source>
        <translation>Seguimientos enviados: cambio {change} · cancelación {cancel}</translation>
    </message>
    <message>
        <source>DOWN</source>
        <translation>CAÍDO</translation>
    </message>
    <message>
        <source>NO READ</source>
        <translation>SIN LECTURA</translation>
    </message>
    <message>
        <source>GARBLED</source>
        <translation>CORRUPTO</translation>
    </message>
    <message>
        <source>DUPLICATE</source>
        <translation>DUPLICADO</translation>
    </message>
    <message>
        <source>SLOW</source>
        <translation>LENTO</translation>
    </message>
    <message>
        <source>READER {scanner} · {station}</source>
        <translation>LECTOR {scanner} · {station}</translation>
    </message>
    <message>
        <source>a part&apos;s code, e.g. PBMP-040+HB0001</source>
        <translation>código de una pieza, p. ej. PBMP-040+HB0001</translation>
    </message>
    <message>
        <source>READ</source>
        <translation>LEER</translation>
    </message>
    <message>
        <source>READING</source>
        <translation>LEYENDO</translation>
    </message>
    <message>
        <source>NO CLIENT</source>
        <translation>SIN CLIENTE</translation>
    </message>
    <message>
        <source>:{port} · clients {clients} · sent {sent} · last {last}</source>
        <translation>:{port} · clientes {clients} · enviados {sent} · último {last}</translation>
    </message>
    <message>
        <source>{switch} on at {device}</source>
        <translation>{switch} activado en {device}</translation>
    </message>
    <message>
        <source>{switch} off at {device}</source>
        <translation>{switch} desactivado en {device}</translation>
    </message>
    <message>
        <source>takt {value} s</source>
        <translation>takt {value} s</translation>
    </message>
    <message>
        <source>drop next {value}</source>
        <translation>omitir siguiente {value}</translation>
    </message>
    <message>
        <source>duplicate next {value}</source>
        <translation>duplicar siguiente {value}</translation>
    </message>
    <message>
        <source>burst {value}</source>
        <translation>ráfaga {value}</translation>
    </message>
    <message>
        <source>pause {value} s</source>
        <translation>pausa {value} s</translation>
    </message>
    <message>
        <source>change last {value}</source>
        <translation>cambiar última {value}</translation>
    </message>
    <message>
        <source>cancel last {value}</source>
        <translation>cancelar última {value}</translation>
    </message>
    <message>
        <source>{what}: done</source>
        <translation>{what}: hecho</translation>
    </message>
    <message>
        <source>{what}: REFUSED · {error}</source>
        <translation>{what}: RECHAZADO · {error}</translation>
    </message>
    <message>
        <source>{what}: NOT SENT · no link to the simulators</source>
        <translation>{what}: NO ENVIADO · sin enlace con los simuladores</translation>
    </message>
    <message>
        <source> light {light}</source>
        <translation> luz {light}</translation>
    </message>
    <message>
        <source>press {device} light {light}</source>
        <translation>pulsar {device} luz {light}</translation>
    </message>
    <message>
        <source>feed {feed}: {knobs}</source>
        <translation>flujo {feed}: {knobs}</translation>
    </message>
    <message>
        <source>operator at {station}: {mode}</source>
        <translation>operario en {station}: {mode}</translation>
    </message>
    <message>
        <source>read {code} at {device}</source>
        <translation>leer {code} en {device}</translation>
    </message>
    <message>
        <source>SIM LINK · WAITING</source>
        <translation>ENLACE SIM · ESPERANDO</translation>
    </message>
    <message>
        <source>SIM LINK · LIVE</source>
        <translation>ENLACE SIM · ACTUAL</translation>
    </message>
    <message>
        <source>SIM LINK · LOST · last picture</source>
        <translation>ENLACE SIM · PERDIDO · última imagen</translation>
    </message>
    <message>
        <source>No command sent yet</source>
        <translation>Aún no se ha enviado ningún comando</translation>
    </message>
    <message>
        <source>SIMULATED PLANT</source>
        <translation>PLANTA SIMULADA</translation>
    </message>
    <message>
        <source>ENGINEER ACTIONS</source>
        <translation>ACCIONES DEL INGENIERO</translation>
    </message>
    <message>
        <source>{zone} · simulated ×{speed}</source>
        <translation>{zone} · simulado ×{speed}</translation>
    </message>
    <message>
        <source>JIS engineer — simulators at {endpoint}</source>
        <translation>JIS ingeniero — simuladores en {endpoint}</translation>
    </message>
    <message>
        <source>JIS engineer — {plant} — simulators at {endpoint}</source>
        <translation>JIS ingeniero — {plant} — simuladores en {endpoint}</translation>
    </message>
    <message>
        <source>ON</source>
        <translation>ENCENDIDO</translation>
    </message>
    <message>
        <source>OFF</source>
        <translation>APAGADO</translation>
    </message>
    <message>
        <source>{switch}: ON (click to switch off)</source>
        <translation>{switch}: ENCENDIDO (clic para apagar)</translation>
    </message>
    <message>
        <source>{switch}: OFF (click to switch on)</source>
        <translation>{switch}: APAGADO (clic para encender)</translation>
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
        <translation>VERDE</translation>
    </message>
    <message>
        <source>RED</source>
        <translation>ROJO</translation>
    </message>
    <message>
        <source>YELLOW</source>
        <translation>AMARILLO</translation>
    </message>
    <message>
        <source>BLUE</source>
        <translation>AZUL</translation>
    </message>
    <message>
        <source>WHITE</source>
        <translation>BLANCO</translation>
    </message>
    <message>
        <source>Controller off the network: connections dropped and refused</source>
        <translation>Controlador fuera de la red: conexiones cortadas y rechazadas</translation>
    </message>
    <message>
        <source>Every Modbus answer delayed (an overloaded gateway or a long RS-485 chain)</source>
        <translation>Cada respuesta Modbus retrasada (un gateway sobrecargado o una cadena RS-485 larga)</translation>
    </message>
    <message>
        <source>Out of service: lights cannot be lit or cleared, presses still count</source>
        <translation>Fuera de servicio: las luces no se pueden encender ni apagar, las pulsaciones siguen contando</translation>
    </message>
    <message>
        <source>Cut the light off its chain: the gateway answers Modbus exception 0x0B</source>
        <translation>Desconectar la luz de su cadena: el gateway responde con la excepción Modbus 0x0B</translation>
    </message>
    <message>
        <source>OFF BUS</source>
        <translation>FUERA DEL BUS</translation>
    </message>
    <message>
        <source>Cut the light off the controller&apos;s bus: Online false, its methods BadCommunicationError</source>
        <translation>Desconectar la luz del bus del controlador: Online false, sus métodos BadCommunicationError</translation>
    </message>
    <message>
        <source>CUT OFF</source>
        <translation>DESCONECTAR</translation>
    </message>
    <message>
        <source>Cut the light off its controller</source>
        <translation>Desconectar la luz de su controlador</translation>
    </message>
    <message>
        <source>WRONG BUTTON</source>
        <translation>BOTÓN ERRÓNEO</translation>
    </message>
    <message>
        <source>NO PRESS</source>
        <translation>NO PULSA</translation>
    </message>
    <message>
        <source>AUTO</source>
        <translation>AUTOMÁTICO</translation>
    </message>
    <message>
        <source>MANUAL</source>
        <translation>MANUAL</translation>
    </message>
    <message>
        <source>PRESS</source>
        <translation>BOTÓN</translation>
    </message>
    <message>
        <source>Press light {light}&apos;s confirm button, like an operator&apos;s finger</source>
        <translation>Pulsar el botón de confirmación de la luz {light}, como el dedo de un operario</translation>
    </message>
    <message>
        <source>FLASH</source>
        <translation>PARPADEA</translation>
    </message>
    <message>
        <source>token {token}</source>
        <translation>token {token}</translation>
    </message>
    <message>
        <source>dark</source>
        <translation>apagada</translation>
    </message>
    <message>
        <source>LATCHED · count {count}</source>
        <translation>ENCLAVADA · cuenta {count}</translation>
    </message>
    <message>
        <source>latch clear · count {count}</source>
        <translation>libre · cuenta {count}</translation>
    </message>
    <message>
        <source>PTL {gateway} · {kind}  :{port}</source>
        <translation>PTL {gateway} · {kind}  :{port}</translation>
    </message>
    <message>
        <source>Switch the simulated operator off: press the lights by hand</source>
        <translation>Apagar el operario simulado: pulsar las luces a mano</translation>
    </message>
    <message>
        <source>OPERATOR</source>
        <translation>OPERARIO</translation>
    </message>
    <message>
        <source>SLOW {seconds} s</source>
        <translation>LENTO {seconds} s</translation>
    </message>
    <message>
        <source>presses {presses} · wrong {wrong} · missed {missed}</source>
        <translation>pulsaciones {presses} · erróneas {wrong} · perdidas {missed}</translation>
    </message>
    <message>
        <source> · next press in {seconds} s</source>
        <translation> · siguiente pulsación en {seconds} s</translation>
    </message>
    <message>
        <source>{feed}: {count} broadcast(s) missing, {first}..{last}; resend requested</source>
        <translation>{feed}: faltan {count} llamada(s), {first}..{last}; reenvío pedido</translation>
    </message>
    <message>
        <source>{feed}: no broadcast for {seconds:.0f} s (limit {limit:.0f} s)</source>
        <translation>{feed}: ninguna llamada desde hace {seconds:.0f} s (límite {limit:.0f} s)</translation>
    </message>
    <message>
        <source>broadcast {seq} for unknown feed {feed!r}</source>
        <translation>llamada {seq} para un flujo desconocido {feed!r}</translation>
    </message>
    <message>
        <source>quarantined #{quarantine_id}: {reason}</source>
        <translation>en cuarentena #{quarantine_id}: {reason}</translation>
    </message>
    <message>
        <source>{feed}: broadcast {seq} is {distance} ahead of the newest, {newest} (plausible: {ahead} ahead, {behind} behind); refused, nothing resent. If the OEM really jumped, key it in by hand</source>
        <translation>{feed}: la llamada {seq} está {distance} por delante de la más reciente, {newest} (plausible: {ahead} por delante, {behind} por detrás); rechazada, no se pide reenvío. Si el OEM saltó de verdad, introdúzcala a mano</translation>
    </message>
    <message>
        <source>{feed}: broadcast {seq} is {distance} behind the newest, {newest} (plausible: {ahead} ahead, {behind} behind); refused, nothing resent. If the OEM really jumped, key it in by hand</source>
        <translation>{feed}: la llamada {seq} está {distance} por detrás de la más reciente, {newest} (plausible: {ahead} por delante, {behind} por detrás); rechazada, no se pide reenvío. Si el OEM saltó de verdad, introdúzcala a mano</translation>
    </message>
    <message>
        <source>{feed}: broadcast {seq} arrived after its place in the sequence had passed</source>
        <translation>{feed}: la llamada {seq} llegó cuando su lugar en la secuencia ya había pasado</translation>
    </message>
    <message>
        <source>{feed}: broadcast {seq} arrived after its place in the sequence had passed; its {racks} rack is closed: proposed fix: pick it outside the rack, label it and send it with the next truck as a single part, or ask the OEM to pull the vehicle</source>
        <translation>{feed}: la llamada {seq} llegó cuando su lugar en la secuencia ya había pasado; su bastidor {racks} está cerrado: propuesta: cogerla fuera del bastidor, etiquetarla y enviarla con el próximo camión como pieza suelta, o pedir al OEM que retire el vehículo</translation>
    </message>
    <message>
        <source>{feed} {seq}: {function} after every rack of its vehicle shipped; call the OEM</source>
        <translation>{feed} {seq}: {function} después de expedirse todos los bastidores del vehículo; llamar al OEM</translation>
    </message>
    <message>
        <source>{feed} {seq}: {function} for a cancelled vehicle ignored</source>
        <translation>{feed} {seq}: {function} para un vehículo cancelado, ignorado</translation>
    </message>
    <message>
        <source>{feed}: vehicle {vehicle} moved from {old} to {new}; reaction: {reaction}</source>
        <translation>{feed}: vehículo {vehicle} movido de {old} a {new}; reacción: {reaction}</translation>
    </message>
    <message>
        <source>{feed} {seq}: cancelled after the {racks} rack shipped; call the OEM</source>
        <translation>{feed} {seq}: cancelado después de expedirse el bastidor {racks}; llamar al OEM</translation>
    </message>
    <message>
        <source>{feed} {seq}: cancelled by the OEM</source>
        <translation>{feed} {seq}: cancelado por el OEM</translation>
    </message>
    <message>
        <source>{feed} {seq}: vehicle {vehicle} changed</source>
        <translation>{feed} {seq}: vehículo {vehicle} modificado</translation>
    </message>
    <message>
        <source>{feed} {seq}: change after the {racks} rack shipped; call the OEM</source>
        <translation>{feed} {seq}: cambio después de expedirse el bastidor {racks}; llamar al OEM</translation>
    </message>
    <message>
        <source>{feed} {seq}: {reason}; slot blocked</source>
        <translation>{feed} {seq}: {reason}; posición bloqueada</translation>
    </message>
    <message>
        <source>{feed} {seq}: hold for vehicle {vehicle}, already picked: keep its rack</source>
        <translation>{feed} {seq}: retención del vehículo {vehicle}, ya cogido: retener su bastidor</translation>
    </message>
    <message>
        <source>{feed} {seq}: vehicle {vehicle} on hold</source>
        <translation>{feed} {seq}: vehículo {vehicle} retenido</translation>
    </message>
    <message>
        <source>{feed} {seq}: unknown option code(s) {codes}</source>
        <translation>{feed} {seq}: código(s) de opción desconocido(s) {codes}</translation>
    </message>
    <message>
        <source>{station}: confirm on {bin} carried pick {token}, pick {pick} is lit; ignored</source>
        <translation>{station}: la confirmación en {bin} traía la recogida {token}, está encendida la {pick}; ignorada</translation>
    </message>
    <message>
        <source>{station}: confirm on bin {bin} with no bin lit</source>
        <translation>{station}: confirmación en la caja {bin} sin ninguna caja encendida</translation>
    </message>
    <message>
        <source>{station}: scan {code!r} with no bin lit</source>
        <translation>{station}: escaneo {code!r} sin ninguna caja encendida</translation>
    </message>
    <message>
        <source>{station}: bin {pressed} pressed, {bin} is lit for {feed} {seq}; slot blocked, correct it</source>
        <translation>{station}: caja {pressed} pulsada, {bin} está encendida para {feed} {seq}; posición bloqueada, corríjalo</translation>
    </message>
    <message>
        <source>{station}: part {part} scanned, {bin} is lit for {feed} {seq}; slot blocked, correct it</source>
        <translation>{station}: pieza {part} escaneada, {bin} está encendida para {feed} {seq}; posición bloqueada, corríjalo</translation>
    </message>
    <message>
        <source>{station}: take {part} from rack {rack} slot {slot} back to {bin}</source>
        <translation>{station}: devolver {part} del bastidor {rack} posición {slot} a {bin}</translation>
    </message>
    <message>
        <source>{station}: {bin} lit for {seconds:.0f} s without a confirm</source>
        <translation>{station}: {bin} encendida desde hace {seconds:.0f} s sin confirmación</translation>
    </message>
    <message>
        <source>{station}: {code!r} is no part code of this plant; scan the part again</source>
        <translation>{station}: {code!r} no es un código de pieza de esta planta; escanee la pieza de nuevo</translation>
    </message>
    <message>
        <source>{station}: serial {serial} of {part} was scanned for {feed} {seq} already; check the part and scan it again</source>
        <translation>{station}: el número de serie {serial} de {part} ya se escaneó para {feed} {seq}; revise la pieza y escanéela de nuevo</translation>
    </message>
    <message>
        <source>{station}: {bin} is confirmed by scanning the part, not by its button</source>
        <translation>{station}: {bin} se confirma escaneando la pieza, no con su botón</translation>
    </message>
    <message>
        <source>{station}: {bin} confirmed by hand by {user}: {reason}</source>
        <translation>{station}: {bin} confirmada a mano por {user}: {reason}</translation>
    </message>
    <message>
        <source>label {label} may or may not have printed ({reason}): check it, then reprint or resolve</source>
        <translation>la etiqueta {label} puede haberse impreso o no ({reason}): revísela, luego reimprímala o resuélvala</translation>
    </message>
    <message>
        <source>label {label} reprint {count} by {user}</source>
        <translation>etiqueta {label} reimpresión {count} por {user}</translation>
    </message>
    <message>
        <source>rack {feed}/{family}/{rack}: due in {minutes:.0f} min, not shipped</source>
        <translation>bastidor {feed}/{family}/{rack}: vence en {minutes:.0f} min, sin expedir</translation>
    </message>
    <message>
        <source>{station}: bin {bin} low, {qty} of {capacity} {part} left; replenishment called</source>
        <translation>{station}: caja {bin} baja, quedan {qty} de {capacity} {part}; reposición pedida</translation>
    </message>
    <message>
        <source>{station}: bin {bin} runs out in {seconds:.0f} s, {vehicles} vehicles from now ({qty} {part} left)</source>
        <translation>{station}: la caja {bin} se vacía en {seconds:.0f} s, dentro de {vehicles} vehículos (quedan {qty} {part})</translation>
    </message>
    <message>
        <source>{feed}: the OEM's line stands; due times wait for it</source>
        <translation>{feed}: la línea del OEM está parada; los vencimientos la esperan</translation>
    </message>
    <message>
        <source>{feed}: the OEM's line runs {rate:.0f} vehicles/h, picking keeps up with {keep_up:.0f}: the buffer shrinks</source>
        <translation>{feed}: la línea del OEM va a {rate:.0f} vehículos/h, la recogida da abasto a {keep_up:.0f}: el margen se reduce</translation>
    </message>
    <message>
        <source>ship notice {notice} v{version} rejected by the OEM: {reason}</source>
        <translation>aviso de expedición {notice} v{version} rechazado por el OEM: {reason}</translation>
    </message>
    <message>
        <source>ship notice {notice} v{version} rejected by the OEM: no reason given</source>
        <translation>aviso de expedición {notice} v{version} rechazado por el OEM: sin motivo</translation>
    </message>
    <message>
        <source>ship notice {notice} v{version}: no answer from the OEM in {seconds:.0f} s</source>
        <translation>aviso de expedición {notice} v{version}: sin respuesta del OEM en {seconds:.0f} s</translation>
    </message>
    <message>
        <source>{device} offline: {detail}</source>
        <translation>{device} desconectado: {detail}</translation>
    </message>
    <message>
        <source>journal cannot be written, the line is paused (nothing is acknowledged): {detail}</source>
        <translation>no se puede escribir el diario, la línea está en pausa (no se confirma nada): {detail}</translation>
    </message>
    <message>
        <source>{folder}: {free_mb:.0f} MB free ({level})</source>
        <translation>{folder}: {free_mb:.0f} MB libres ({level})</translation>
    </message>
    <message>
        <source>{folder}: {free_mb:.0f} MB free ({level}): {detail}</source>
        <translation>{folder}: {free_mb:.0f} MB libres ({level}): {detail}</translation>
    </message>
    <message>
        <source>{source}: {kind} came {count} times within {window:g} s (on-delay {on:g} s, off-delay {off:g} s): have its link or the device looked at</source>
        <translation>{source}: {kind} apareció {count} veces en {window:g} s (retardo de activación {on:g} s, de desactivación {off:g} s): haga revisar su enlace o el dispositivo</translation>
    </message>
    <message>
        <source>{source}: {count} refused inputs since a flood began (counted on this alarm, not one each; the quarantine keeps a summary row per window): find the sender</source>
        <translation>{source}: {count} entradas rechazadas desde que empezó una avalancha (contadas en esta alarma, no una a una; la cuarentena guarda una fila resumen por ventana): encuentre al remitente</translation>
    </message>
</context>
</TS>
