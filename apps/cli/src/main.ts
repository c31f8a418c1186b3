console.log('hostplane: commands arrive with the foundation issue');
