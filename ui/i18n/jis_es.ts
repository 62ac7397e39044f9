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
        <source>HOLD</source>
        <translation>RETENCIÓN</translation>
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
        <source>LOG IN</source>
        <translation>ENTRAR</translation>
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
        <source>SLOT</source>
        <translation>POSICIÓN</translation>
    </message>
    <message>
        <source>VEHICLE</source>
        <translation>VEHÍCULO</translation>
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
        <source>PART</source>
        <translation>PIEZA</translation>
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
        <source>BUSY</source>
        <translation>OCUPADO</translation>
    </message>
    <message>
        <source>SERVICE ERROR</source>
        <translation>ERROR DEL SERVICIO</translation>
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
</context>
</TS>
