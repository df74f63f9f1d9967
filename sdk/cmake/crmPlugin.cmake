# crm_add_plugin(<name> SOURCES <files...>)
#
# Builds a CRM plugin: a shared library named crm_<name>.so linked against
# crm::sdk and crm::core. Inside the CRM source tree it lands in the bundled
# plugin directory of the build tree; outside it is an ordinary module library
# that `crm --plugin-dir` or CRM_PLUGIN_PATH can point at.
function(crm_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  add_library(crm_plugin_${name} MODULE ${ARG_SOURCES})
  set_target_properties(crm_plugin_${name} PROPERTIES
    PREFIX "" OUTPUT_NAME "crm_${name}"
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  if(TARGET crm_core)
    target_link_libraries(crm_plugin_${name} PRIVATE crm_core ${ARG_LIBRARIES})
  else()
    target_link_libraries(crm_plugin_${name} PRIVATE crm::core ${ARG_LIBRARIES})
  endif()
  if(DEFINED CRM_PLUGIN_OUTPUT_DIR)
    set_target_properties(crm_plugin_${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${CRM_PLUGIN_OUTPUT_DIR})
  endif()
  # Installed beside the bundled plugins, it finds libcrm_core two levels up.
  set_target_properties(crm_plugin_${name} PROPERTIES INSTALL_RPATH "$ORIGIN/../..")
  if(DEFINED CRM_PLUGIN_INSTALL_DIR)
    install(TARGETS crm_plugin_${name} LIBRARY DESTINATION ${CRM_PLUGIN_INSTALL_DIR})
  endif()
endfunction()
